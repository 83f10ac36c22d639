import type { IngestRow } from '../../db/queries/events';
import type { Config } from '../../env';
import type { Principal } from '../../lib/auth';
import type { ValidationIssue } from '../../lib/errors';
import { toValidationIssues } from '../../lib/validation-issues';
import { earliestEventMs, prepareEvent } from './prepare-event';
import { BATCH_MAX_EVENTS, batchTooLarge, EventInputSchema, unknownFieldsOf } from './schemas';

export interface ItemFailure {
  index: number;
  errors: ValidationIssue[];
}

/**
 * The checks of a batch body, shared by POST /batch and /enqueue: at most BATCH_MAX_EVENTS items
 * (else a 413), then each item's shape (the create schema), the key's companies, the clock checks,
 * and which unknown fields it ignores. Valid items become ingest rows (idx = their index), the
 * others failures with FastAPI-shaped issues naming the item.
 */
export function checkBatchItems(
  events: unknown[],
  principal: Principal,
  config: Config,
  nowMs: number,
): { rows: IngestRow[]; failures: ItemFailure[]; ignoredByIndex: Map<number, string[]> } {
  if (events.length > BATCH_MAX_EVENTS) throw batchTooLarge(events.length);
  const rows: IngestRow[] = [];
  const failures: ItemFailure[] = [];
  // Fields the service does not know are ignored, as the old service did; the route names them.
  const ignoredByIndex = new Map<number, string[]>();
  const earliestMs = earliestEventMs(config, nowMs);
  for (const [index, item] of events.entries()) {
    const ignored = unknownFieldsOf(item);
    if (ignored.length > 0) ignoredByIndex.set(index, ignored);
    const fail = (errors: ValidationIssue[]) => {
      failures.push({ index, errors });
    };
    const parsed = EventInputSchema.safeParse(item);
    if (!parsed.success) {
      fail(
        toValidationIssues(parsed.error, 'body').map((i) => ({
          ...i,
          loc: ['body', 'events', index, ...i.loc.slice(1)],
        })),
      );
      continue;
    }
    if (principal.companies !== null && !principal.companies.includes(parsed.data.company_id)) {
      fail([
        {
          loc: ['body', 'events', index, 'company_id'],
          msg: `This API key may not write events for company ${parsed.data.company_id}`,
          type: 'forbidden',
        },
      ]);
      continue;
    }
    const prepared = prepareEvent(parsed.data, index, {
      nowMs,
      maxFutureSkewSeconds: config.MAX_FUTURE_SKEW_SECONDS,
      earliestMs,
      locPrefix: ['body', 'events', index],
    });
    if ('issues' in prepared) fail(prepared.issues);
    else rows.push(prepared.row);
  }
  return { rows, failures, ignoredByIndex };
}

const ALL_OK_MESSAGES = {
  201: 'Audit events created successfully',
  202: 'Audit events accepted; they will be stored',
} as const;

/**
 * The status and message of a batch answer (POST /batch, stored or queued, and /enqueue): allOk
 * when no item was refused, 422 when every one was (nothing stored is not a success of any kind:
 * a client that looks only at the status must see it), else 207.
 */
export function batchVerdict<S extends keyof typeof ALL_OK_MESSAGES>(
  failed: number,
  total: number,
  allOk: S,
): { status: S | 207 | 422; message: string } {
  const status = failed === 0 ? allOk : failed === total ? 422 : 207;
  const message = failed === 0 ? ALL_OK_MESSAGES[allOk] : `${failed} of ${total} events were refused`;
  return { status, message };
}
