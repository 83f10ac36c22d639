/**
 * `npm run keys -- <command>`: the whole command except connecting and printing, so the same
 * code runs under Node (scripts/keys.mjs) and in the workerd tests against a real database.
 *
 *   create --name NAME --scopes events:read,events:write [--companies 5001,5002] [--json]
 *   list [--json]
 *   revoke --name NAME | --prefix PREFIX
 */
import type { Database } from '../db/client';
import { createKey, KeyNameTaken, listKeys, revokeKey } from '../db/queries/admin-keys';
import { generateApiKey, isKeyPrefix, parseKeySpec } from './api-keys';

export interface CommandResult {
  /** 0 done, 1 refused (name taken, no such key), 2 usage error. */
  code: number;
  out: string[];
  err: string[];
}

export const KEYS_USAGE = [
  'usage: npm run keys -- create --name NAME --scopes events:read,events:write [--companies 5001,5002] [--json]',
  '       npm run keys -- list [--json]',
  '       npm run keys -- revoke --name NAME | --prefix PREFIX',
  'scopes: events:write (create, batch), events:read (recent, search, export, catalogue, directory), admin',
];

const OPTIONS_WITH_VALUE = new Set(['name', 'scopes', 'companies', 'prefix']);
const FLAGS = new Set(['json']);

function parseOptions(args: string[]): { options: Record<string, string>; flags: Set<string> } | string {
  const options: Record<string, string> = {};
  const flags = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!match?.[1]) return `unexpected argument ${arg}`;
    const name = match[1];
    if (FLAGS.has(name)) {
      flags.add(name);
    } else if (OPTIONS_WITH_VALUE.has(name)) {
      const value = match[2] ?? args[++i];
      if (value === undefined) return `--${name} needs a value`;
      options[name] = value;
    } else {
      return `unknown option --${name}`;
    }
  }
  return { options, flags };
}

const usage = (problem: string): CommandResult => ({ code: 2, out: [], err: [problem, ...KEYS_USAGE] });

export async function runKeysCommand(argv: string[], db: Database): Promise<CommandResult> {
  const [command, ...rest] = argv;
  const parsed = parseOptions(rest);
  if (typeof parsed === 'string') return usage(parsed);
  const { options, flags } = parsed;
  switch (command) {
    case 'create': {
      const spec = parseKeySpec(options);
      if ('problems' in spec) return usage(spec.problems.join('; '));
      try {
        const { record, key } = await createKey(db, spec.spec, generateApiKey);
        if (flags.has('json')) return { code: 0, out: [JSON.stringify({ key, ...record })], err: [] };
        return {
          code: 0,
          out: [key],
          err: [
            `created API key ${record.name} (prefix ${record.prefix}), scopes ${record.scopes.join(',')}, companies ${record.companies?.join(',') ?? 'all'}`,
            'the key is printed above, once: store it now; only its SHA-256 is kept',
          ],
        };
      } catch (error) {
        if (error instanceof KeyNameTaken) return { code: 1, out: [], err: [error.message] };
        throw error;
      }
    }
    case 'list': {
      const keys = await listKeys(db);
      if (flags.has('json')) return { code: 0, out: keys.map((k) => JSON.stringify(k)), err: [] };
      const rows = keys.map((k) => [
        k.name,
        k.prefix,
        k.scopes.join(','),
        k.companies?.join(',') ?? 'all',
        k.createdAt,
        k.lastUsedAt ?? '-',
        k.revokedAt ?? '-',
      ]);
      const header = ['name', 'prefix', 'scopes', 'companies', 'created', 'last used', 'revoked'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
      const line = (cells: string[]) =>
        cells
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd();
      return { code: 0, out: [line(header), ...rows.map(line)], err: [] };
    }
    case 'revoke': {
      const { name, prefix } = options;
      if ((name === undefined) === (prefix === undefined))
        return usage('revoke needs --name or --prefix (one of them)');
      if (prefix !== undefined && !isKeyPrefix(prefix)) return usage('--prefix is the 8 characters after pak_');
      const outcome = await revokeKey(db, name !== undefined ? { name } : { prefix: prefix ?? '' });
      if (!outcome)
        return {
          code: 1,
          out: [],
          err: [`no API key with ${name !== undefined ? `name ${name}` : `prefix ${prefix}`}`],
        };
      const what = `${outcome.record.name} (prefix ${outcome.record.prefix})`;
      return {
        code: 0,
        out: [
          outcome.alreadyRevoked
            ? `API key ${what} was already revoked at ${outcome.record.revokedAt}`
            : `revoked API key ${what}; running Workers refuse it within a minute (their key cache)`,
        ],
        err: [],
      };
    }
    default:
      return usage(command === undefined ? 'no command given' : `unknown command ${command}`);
  }
}
