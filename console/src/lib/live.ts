import { type AuditEvent, api } from '../api/client';
import type { paths } from '../api/schema';
import type { Filters } from './filters';

type StreamQuery = NonNullable<paths['/pyaudit/api/audit-events/stream']['get']['parameters']['query']>;

/** The stream takes the search filters without dates or archive (it only sees new events). */
function streamQuery(f: Filters): StreamQuery {
  const t = (s: string) => (s.trim() === '' ? undefined : s.trim());
  return {
    company_id: f.company_id ? Number(f.company_id) : undefined,
    store_id: f.store_id ? Number(f.store_id) : undefined,
    user: t(f.user),
    functionality: t(f.functionality),
    event_type: t(f.event_type),
    message_pattern: t(f.message_pattern),
    status: f.status === 'Success' || f.status === 'Failed' ? f.status : undefined,
  };
}

/**
 * Follows GET /audit-events/stream (server-sent events, read with fetch because EventSource
 * cannot send the key header). Each `audit` frame's event goes to onEvent; when the server ends
 * the stream (deploy, slow consumer) it reconnects after 2 s from the last id, unless the key was
 * revoked. Returns a function that stops it.
 */
export function followLive(
  filters: Filters,
  onEvent: (event: AuditEvent) => void,
  onStatus: (text: string) => void,
): () => void {
  const abort = new AbortController();
  let lastId: string | undefined;

  const connect = async () => {
    const { response, error } = await api.GET('/pyaudit/api/audit-events/stream', {
      params: { query: streamQuery(filters), header: lastId ? { 'last-event-id': lastId } : {} },
      parseAs: 'stream',
      signal: abort.signal,
    });
    if (!response.ok || !response.body) {
      const detail = (error as { detail?: unknown } | undefined)?.detail;
      onStatus(typeof detail === 'string' ? detail : `Live tail unavailable (${response.status})`);
      return false;
    }
    onStatus('Live: following new events');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return true;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        const fields: Record<string, string> = {};
        for (const line of frame.split('\n')) {
          const colon = line.indexOf(':');
          if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
        }
        if (fields.id) lastId = fields.id;
        if (fields.event === 'audit' && fields.data) onEvent(JSON.parse(fields.data) as AuditEvent);
        if (fields.event === 'end' && fields.data) {
          const { reconnect } = JSON.parse(fields.data) as { reconnect: boolean };
          if (!reconnect) {
            onStatus('Live tail ended: this key was revoked');
            return false;
          }
        }
      }
    }
  };

  void (async () => {
    try {
      while (!abort.signal.aborted && (await connect())) {
        onStatus('Live: reconnecting…');
        await new Promise((r) => setTimeout(r, 2000));
      }
    } catch (e) {
      if (!abort.signal.aborted) onStatus(`Live tail stopped: ${(e as Error).message}`);
    }
  })();
  return () => abort.abort();
}
