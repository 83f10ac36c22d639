import type pg from 'pg';

/**
 * Everything the migrations create in one schema, as sorted lines with the schema's name left
 * out, so that two schemas migrated different ways can be compared with toEqual: columns,
 * constraints, indexes (of partitions too), views, functions and procedures with their full
 * definitions (body and SET options).
 */
export async function schemaSnapshot(client: pg.Client, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ line: string }>(
    `SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
            || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
            || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '') AS line
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = $1::text::regnamespace AND c.relkind IN ('r', 'p', 'v') AND a.attnum > 0
        AND NOT a.attisdropped
     UNION ALL
     SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
       FROM pg_constraint WHERE connamespace = $1::text::regnamespace
     UNION ALL
     SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = $1::text
     UNION ALL
     SELECT 'view ' || viewname || ' ' || definition FROM pg_views WHERE schemaname = $1::text
     UNION ALL
     SELECT 'routine ' || pg_get_functiondef(p.oid)
       FROM pg_proc p WHERE p.pronamespace = $1::text::regnamespace AND p.prokind IN ('f', 'p')`,
    [schema],
  );
  return rows.map((r) => r.line.replaceAll(`${schema}.`, '')).sort();
}
