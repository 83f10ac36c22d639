import { useState } from 'preact/hooks';
import { api, describeApiError } from '../api/client';
import { type Filters, toQuery } from '../lib/filters';

type Format = 'xlsx' | 'csv' | 'ndjson';
const FORMATS: { id: Format; label: string }[] = [
  { id: 'xlsx', label: 'Export xlsx' },
  { id: 'csv', label: 'Export CSV' },
  { id: 'ndjson', label: 'Export NDJSON' },
];

/** The file name the service chose (Content-Disposition), or a plain one. */
const fileName = (disposition: string | null, format: Format) =>
  /filename="?([^";]+)"?/.exec(disposition ?? '')?.[1] ?? `audit_events.${format}`;

/**
 * Downloads the whole filtered result through the API (the key goes in the header, so a plain
 * link cannot do it), counting the bytes as they stream in; the file is saved when it is
 * complete, and a download the service aborts is reported, never saved short.
 */
export function ExportButtons({ filters }: { filters: Filters }) {
  const [status, setStatus] = useState<string>('');
  const [busy, setBusy] = useState(false);

  const run = async (format: Format) => {
    setBusy(true);
    setStatus(`Starting the ${format} export…`);
    try {
      const { response, error } = await api.GET('/pyaudit/api/audit-events/export', {
        params: { query: { ...toQuery(filters), format } },
        parseAs: 'stream',
      });
      if (!response.ok || !response.body) {
        const body = error ?? (await response.json().catch(() => undefined));
        setStatus(describeApiError(body, response.status));
        return;
      }
      const reader = response.body.getReader();
      const chunks: Uint8Array[] = [];
      let received = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.byteLength;
        setStatus(`${format}: ${received.toLocaleString('en-US')} bytes received…`);
      }
      const url = URL.createObjectURL(new Blob(chunks as BlobPart[]));
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName(response.headers.get('Content-Disposition'), format);
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setStatus(`${link.download}: ${received.toLocaleString('en-US')} bytes`);
    } catch (e) {
      setStatus(`The export failed before it was complete: ${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <fieldset class="exports">
      <legend class="sr-only">Export the current search</legend>
      {FORMATS.map((f) => (
        <button key={f.id} type="button" disabled={busy} onClick={() => run(f.id)}>
          {f.label}
        </button>
      ))}
      <span data-testid="export-status" aria-live="polite">
        {status}
      </span>
    </fieldset>
  );
}
