/**
 * Which PostgreSQL to use: DATABASE_URL, or the old service's PG_HOST/PG_PORT/PG_DATABASE/
 * PG_USER/PG_PASSWORD, or null (= the embedded one).
 */
export function configuredDatabaseUrl(env = process.env) {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  if (env.PG_HOST) {
    const user = encodeURIComponent(env.PG_USER ?? 'postgres');
    const password = encodeURIComponent(env.PG_PASSWORD || 'postgres');
    return `postgres://${user}:${password}@${env.PG_HOST}:${env.PG_PORT ?? 5432}/${encodeURIComponent(env.PG_DATABASE ?? 'postgres')}`;
  }
  return null;
}

/** Hyperdrive's local connection string must carry a password, even for trust auth. */
export function withPassword(url) {
  const u = new URL(url);
  if (!u.password) u.password = 'local';
  if (!u.username) u.username = 'postgres';
  return u.toString();
}

/** The configured URL (or `override`), or exit 2 with how to configure one. */
export function requireDatabaseUrl(override) {
  const url = override ?? configuredDatabaseUrl();
  if (!url) {
    console.error('Set DATABASE_URL (or PG_HOST, PG_PORT, PG_DATABASE, PG_USER, PG_PASSWORD).');
    process.exit(2);
  }
  return url;
}
