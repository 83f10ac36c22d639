import { type ParsedInstant, parseInstant } from '../lib/central-time';
import type { ValidationIssue } from '../lib/errors';

/** The date formats a from_date/to_date query parameter takes: its description and its 422 name them. */
export const DATE_HELP = 'MM-DD-YYYY HH:MM:SS, MM-DD-YYYY or ISO 8601 (Central Time unless an offset is given)';

/**
 * One date parameter of a validated query: absent or blank is null; text that does not parse is an
 * issue (a 422 naming the parameter), never ignored.
 */
export function queryDate<N extends string>(
  query: Partial<Record<N, string>>,
  name: N,
  issues: ValidationIssue[],
): ParsedInstant | null {
  const raw = query[name];
  if (raw === undefined || raw.trim() === '') return null;
  const parsed = parseInstant(raw);
  if (!parsed)
    issues.push({ loc: ['query', name], msg: `Invalid date '${raw}'; use ${DATE_HELP}`, type: 'datetime_parsing' });
  return parsed;
}
