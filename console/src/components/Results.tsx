import type { AuditEvent, Schemas } from '../api/client';

type SearchResult = Schemas['SearchResult'];

export const COLUMNS: { key: keyof AuditEvent; label: string }[] = [
  { key: 'Id', label: 'ID' },
  { key: 'EventTimestamp', label: 'Time (Central)' },
  { key: 'CompanyName', label: 'Company' },
  { key: 'StoreName', label: 'Store' },
  { key: 'Functionality', label: 'Functionality' },
  { key: 'EventType', label: 'Event type' },
  { key: 'UserName', label: 'User' },
  { key: 'Message', label: 'Message' },
  { key: 'Status', label: 'Status' },
];
export const DEFAULT_COLUMNS = ['Id', 'EventTimestamp', 'CompanyName', 'EventType', 'UserName', 'Message', 'Status'];

interface Props {
  result: SearchResult;
  page: number;
  columns: string[];
  onColumns: (columns: string[]) => void;
  onOpen: (event: AuditEvent) => void;
  onNext: (() => void) | null;
  onPrevious: (() => void) | null;
}

const cell = (event: AuditEvent, key: keyof AuditEvent) => {
  const value = event[key];
  return value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
};

/** One page of results, newest first, with the total, the 5000+ notice, column choice and paging. */
export function Results({ result, page, columns, onColumns, onOpen, onNext, onPrevious }: Props) {
  const shown = COLUMNS.filter((c) => columns.includes(c.key));
  return (
    <section class="results" aria-label="Results">
      <div class="results-head">
        <p data-testid="total" aria-live="polite">
          {result.total_count.toLocaleString('en-US')} events
          {result.total_count > 0 ? `, page ${page} of ${result.total_pages}` : ''}
        </p>
        <details class="columns">
          <summary>Columns</summary>
          {COLUMNS.map((c) => (
            <label key={c.key}>
              <input
                type="checkbox"
                checked={columns.includes(c.key)}
                onChange={(e) =>
                  onColumns(e.currentTarget.checked ? [...columns, c.key] : columns.filter((k) => k !== c.key))
                }
              />
              {c.label}
            </label>
          ))}
        </details>
      </div>
      {result.warning && (
        <p class="notice" role="status">
          More than 5000 events match: every page is still reachable, but narrowing the search makes it easier to read.
        </p>
      )}
      {result.events.length === 0 ? (
        <p>No audit events found.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                {shown.map((c) => (
                  <th key={c.key} scope="col">
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.events.map((event) => (
                <tr key={event.Id} class={event.Status === 'Failed' ? 'failed' : ''}>
                  {shown.map((c) =>
                    c.key === 'Id' ? (
                      <td key={c.key}>
                        <button
                          type="button"
                          class="link"
                          onClick={() => onOpen(event)}
                          aria-label={`Open event ${event.Id}`}
                        >
                          {event.Id}
                        </button>
                      </td>
                    ) : (
                      <td key={c.key}>{cell(event, c.key)}</td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="paging" aria-label="Pages">
        <button type="button" disabled={!onPrevious} onClick={() => onPrevious?.()}>
          Previous page
        </button>
        <button type="button" disabled={!onNext} onClick={() => onNext?.()}>
          Next page
        </button>
      </nav>
    </section>
  );
}
