/**
 * What a failed query was, read the same way everywhere: the driver's error, or the driver error
 * drizzle wrapped in its `cause`. Type imports only, so Node runs it with type stripping (npm run keys).
 */

/** The SQLSTATE of a failed query. */
export function sqlState(error: unknown): string | undefined {
  const cause = (error as { cause?: unknown } | undefined)?.cause ?? error;
  return (cause as { code?: string } | undefined)?.code;
}

/**
 * PostgreSQL's unique violation (SQLSTATE 23505): the name of the constraint it broke ('' when
 * the driver did not say), or null for any other failure.
 */
export function uniqueViolation(error: unknown): string | null {
  if (sqlState(error) !== '23505') return null;
  const cause = (error as { cause?: unknown }).cause ?? error;
  // node-postgres and Neon say `constraint`, postgres.js `constraint_name`.
  const { constraint, constraint_name } = cause as { constraint?: string; constraint_name?: string };
  return constraint ?? constraint_name ?? '';
}
