import { createHash } from 'node:crypto';
import { canonicalEvent } from '../../src/integrity/canonical';
import { query } from './sql';

/** An event row as the integrity tests read it back: stored hash and the fields it covers. */
export interface StoredEvent {
  id: string;
  companyid: string;
  utc: string;
  functionality: string;
  event_type: string;
  storelocationid: string | null;
  username: string | null;
  message: string;
  status: string;
  additionaldata: unknown;
  eventid: string | null;
  eventhash: string | null;
  sql_canonical: string;
  table: string;
}

const COLUMNS =
  'id, eventtimestamp, functionalityid, eventtypeid, storelocationid, companyid, username, message, status, additionaldata, eventid, eventhash, tableoid';

export async function storedEvent(id: number): Promise<StoredEvent> {
  const [row] = await query<StoredEvent & Record<string, unknown>>(
    `SELECT e.id::text, e.companyid::text, to_char(e.eventtimestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS utc,
            f.functionalityname AS functionality, t.eventtypename AS event_type, e.storelocationid::text,
            e.username, e.message, e.status, e.additionaldata, e.eventid::text, encode(e.eventhash, 'hex') AS eventhash,
            auditevent_canonical(e.id, e.eventtimestamp, f.functionalityname, t.eventtypename, e.storelocationid,
                                 e.companyid, e.username, e.message, e.status, e.additionaldata, e.eventid) AS sql_canonical,
            e.tableoid::regclass::text AS table
       FROM (SELECT ${COLUMNS} FROM auditevents WHERE id = $1
             UNION ALL SELECT ${COLUMNS} FROM auditevents_archival WHERE id = $1) e
       JOIN auditfunctionalities f ON f.functionalityid = e.functionalityid
       JOIN auditeventtypes t ON t.eventtypeid = e.eventtypeid`,
    [id],
  );
  if (!row) throw new Error(`event ${id} not found`);
  return row;
}

/** The canonical text of a stored event, rebuilt in JavaScript from its values. */
export const jsCanonicalOf = (e: StoredEvent) =>
  canonicalEvent({
    id: e.id,
    companyId: e.companyid,
    utcInstant: e.utc,
    functionality: e.functionality,
    eventType: e.event_type,
    storeId: e.storelocationid,
    username: e.username,
    message: e.message,
    status: e.status,
    additionalData: e.additionaldata,
    eventId: e.eventid,
  });

export const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
