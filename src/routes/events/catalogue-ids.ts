import type { Database } from '../../db/client';
import { isEventTypeName, isFunctionalityName } from '../../db/queries/catalogue';
import type { EventFilter } from '../../db/queries/events';

/** The catalogue ids are PostgreSQL `integer`s: a longer run of digits can only be a name. */
const MAX_CATALOGUE_ID = 2_147_483_647;

/** The id a name parameter may stand for: digits only, within the id column's range. */
export function idIn(value: string | undefined): number | undefined {
  if (value === undefined || !/^[0-9]{1,10}$/.test(value)) return undefined;
  const id = Number(value);
  return id <= MAX_CATALOGUE_ID ? id : undefined;
}

/**
 * The support dashboard's export puts the drop-downs' values, the numeric FunctionalityID and
 * EventTypeID, into functionality_name and event_type_name (README, Compatibility with the old service's clients). A value made only of
 * digits that is not a known name is therefore read as the id; a name wins when one exists, so
 * a functionality really called "42" is still found by name (issue 11.4). The digits are turned
 * into a number here and bound as a parameter: no SQL ever casts the caller's text.
 */
export async function resolveCatalogueIds(db: Database, filter: EventFilter): Promise<EventFilter> {
  const resolved = { ...filter };
  const functionalityId = idIn(filter.functionality);
  if (functionalityId !== undefined && filter.functionality !== undefined) {
    if (!(await isFunctionalityName(db, filter.functionality))) {
      resolved.functionality = undefined;
      resolved.functionalityId = functionalityId;
    }
  }
  const eventTypeId = idIn(filter.eventType);
  if (eventTypeId !== undefined && filter.eventType !== undefined) {
    if (!(await isEventTypeName(db, filter.eventType))) {
      resolved.eventType = undefined;
      resolved.eventTypeId = eventTypeId;
    }
  }
  return resolved;
}
