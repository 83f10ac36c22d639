import { useEffect, useRef } from 'preact/hooks';
import type { AuditEvent } from '../api/client';

interface Props {
  event: AuditEvent;
  /** The URL that reopens this event (with the current filters). */
  link: string;
  onClose: () => void;
}

const FIELDS: [keyof AuditEvent, string][] = [
  ['Id', 'ID'],
  ['EventTimestamp', 'Time (Central)'],
  ['EventTimestampISO', 'Time (ISO)'],
  ['CompanyId', 'Company ID'],
  ['CompanyName', 'Company'],
  ['StoreLocationID', 'Store ID'],
  ['StoreName', 'Store'],
  ['Functionality', 'Functionality'],
  ['EventType', 'Event type'],
  ['UserName', 'User'],
  ['Status', 'Status'],
  ['Message', 'Message'],
];

/** One event in full, additional_data pretty-printed; Escape or Close returns to the results. */
export function EventDetail({ event, link, onClose }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [event.Id, onClose]);
  return (
    <aside class="detail" aria-labelledby="detail-title" data-testid="event-detail">
      <div class="detail-head">
        <h2 id="detail-title" tabIndex={-1} ref={heading}>
          Event {event.Id}
        </h2>
        <a href={link} data-testid="event-link">
          Link to this event
        </a>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <dl>
        {FIELDS.map(([key, label]) => (
          <div key={key}>
            <dt>{label}</dt>
            <dd>{event[key] === null ? '—' : String(event[key])}</dd>
          </div>
        ))}
      </dl>
      <h3>Additional data</h3>
      <pre data-testid="additional-data">
        {event.AdditionalData === null ? 'null' : JSON.stringify(event.AdditionalData, null, 2)}
      </pre>
    </aside>
  );
}
