import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unstable_readConfig } from 'wrangler';

/**
 * What `workerd serve` needs from wrangler.toml: compatibility settings, the [vars], the names of
 * the Hyperdrive bindings and the Durable Object bindings (the live tail's fan-out). Read with wrangler's own parser, so the file means the same
 * thing here as in `wrangler deploy`.
 */
export function readWranglerConfig(root) {
  const config = unstable_readConfig({ config: join(root, 'wrangler.toml') });
  return {
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: [...(config.compatibility_flags ?? [])],
    vars: Object.fromEntries(Object.entries(config.vars ?? {}).map(([name, value]) => [name, String(value)])),
    hyperdriveBindings: (config.hyperdrive ?? []).map((h) => h.binding),
    durableObjects: (config.durable_objects?.bindings ?? [])
      .filter((d) => !d.script_name)
      .map((d) => ({ binding: d.name, className: d.class_name })),
  };
}

/**
 * Secret names: the keys documented in .dev.vars.example (the same list `wrangler types` reads),
 * e.g. API_KEYS and NEON_DATABASE_URL. They are passed from the environment at run time and
 * never written into the generated config.
 */
export function readSecretNames(root) {
  const text = readFileSync(join(root, '.dev.vars.example'), 'utf8');
  return [...text.matchAll(/^\s*([A-Z][A-Z0-9_]*)\s*=/gm)].map((m) => m[1]);
}
