/**
 * API keys: their format, generation, hashing and the rules for a key's name, scopes and
 * companies. Shared by the Worker (auth, admin routes) and `npm run keys` (scripts/keys.mjs),
 * so it has no imports: Node loads it with type stripping, workerd bundles it.
 *
 * A key looks like `pak_<prefix>_<secret>`: the 8-character prefix is stored and shown so a key
 * can be recognised and revoked without being known; the 32-character secret (base62, about
 * 190 bits) is never stored. The database keeps the SHA-256 of the whole key.
 */

export const SCOPES = ['events:write', 'events:read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const KEY_NAME_MAX = 100;
/** Names shown for the keys of the API_KEYS secret; database keys may not take them. */
export const LEGACY_NAME_PREFIX = 'legacy-key-';
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]*$/;
const KEY_RE = /^pak_([a-z0-9]{8})_([A-Za-z0-9]{32})$/;
const PREFIX_RE = /^[a-z0-9]{8}$/;
const MAX_COMPANIES = 1000;
const MAX_COMPANY_ID = Number.MAX_SAFE_INTEGER;

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Uniform random characters: bytes past the largest multiple of the alphabet are redrawn. */
function randomString(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

export interface GeneratedKey {
  key: string;
  prefix: string;
  hash: string;
}

export async function generateApiKey(): Promise<GeneratedKey> {
  const prefix = randomString(LOWER_ALNUM, 8);
  const key = `pak_${prefix}_${randomString(BASE62, 32)}`;
  return { key, prefix, hash: await hashApiKey(key) };
}

/** SHA-256 of the key text, lower-case hex: what the database stores and looks keys up by. */
export async function hashApiKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The prefix of a well-formed database key, or null: anything else never reaches the database. */
export function prefixOf(presented: string): string | null {
  return KEY_RE.exec(presented)?.[1] ?? null;
}

export const isKeyPrefix = (text: string) => PREFIX_RE.test(text);

export interface KeySpec {
  name: string;
  scopes: Scope[];
  /** null = every company. */
  companies: number[] | null;
}

/** Why a name is unusable, or null when it is fine. */
export function nameProblem(name: string): string | null {
  if (name.length === 0 || name.length > KEY_NAME_MAX) return `name must be 1 to ${KEY_NAME_MAX} characters`;
  if (!NAME_RE.test(name)) return 'name may contain letters, digits and . _ @ - and must start with a letter or digit';
  if (name.toLowerCase().startsWith(LEGACY_NAME_PREFIX))
    return `names starting with ${LEGACY_NAME_PREFIX} are reserved`;
  return null;
}

export function scopesProblem(scopes: readonly string[]): string | null {
  if (scopes.length === 0) return `scopes must name at least one of ${SCOPES.join(', ')}`;
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0) return `unknown scope ${unknown.join(', ')}; use ${SCOPES.join(', ')}`;
  return null;
}

export function companiesProblem(companies: readonly number[] | null): string | null {
  if (companies === null) return null;
  if (companies.length === 0) return 'companies must list at least one company id, or be omitted for all companies';
  if (companies.length > MAX_COMPANIES) return `companies may list at most ${MAX_COMPANIES} ids`;
  const bad = companies.find((id) => !Number.isSafeInteger(id) || id < 0 || id > MAX_COMPANY_ID);
  if (bad !== undefined) return `company id ${bad} is not a whole number >= 0`;
  if (companies.includes(SELF_AUDIT_COMPANY)) return SELF_AUDIT_COMPANY_REFUSAL;
  return null;
}

/**
 * Company 0 holds the service's own audit rows that belong to no company (src/lib/self-audit.ts),
 * with other tenants' search parameters in them: no key may be limited to it (issue 13.3). Keys
 * that hold it from before are read without it (grantableCompanies).
 */
export const SELF_AUDIT_COMPANY = 0;
const SELF_AUDIT_COMPANY_REFUSAL =
  "company 0 holds the service's own audit rows and cannot be granted to a key; omit companies for a key that sees every company";

/** A stored key's companies as the service applies them: company 0 is never granted. */
export const grantableCompanies = (companies: readonly number[] | null): readonly number[] | null =>
  companies === null ? null : companies.filter((id) => id !== SELF_AUDIT_COMPANY);

/** Duplicates removed, order kept: the stored form of scopes and companies. */
export const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];

/** `events:read,events:write` -> ['events:read', 'events:write'] (the command line's form). */
export const splitList = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** Command-line form of a key spec -> the spec, or the problems with it. */
export function parseKeySpec(input: {
  name?: string;
  scopes?: string;
  companies?: string;
}): { spec: KeySpec } | { problems: string[] } {
  const problems: string[] = [];
  const name = input.name ?? '';
  const scopes = unique(splitList(input.scopes ?? ''));
  const companyTexts = input.companies === undefined ? null : splitList(input.companies);
  const notIds = (companyTexts ?? []).filter((t) => !/^\d{1,16}$/.test(t));
  const companies = companyTexts === null ? null : unique(companyTexts.map(Number));
  for (const problem of [
    nameProblem(name),
    scopesProblem(scopes),
    notIds.length > 0 ? `company ids must be whole numbers: ${notIds.join(', ')}` : companiesProblem(companies),
  ]) {
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) return { problems };
  return { spec: { name, scopes: scopes as Scope[], companies } };
}
