-- Benchmark dataset, part 2: events lo..hi of total, in time order over [span_start, span_end),
-- deterministic (hashes of the row number, no random()), so every load is the same data.
-- $1 lo, $2 hi, $3 total, $4 span_start, $5 span_end, $6 company: NULL for every company (the
-- benchmark dataset), or one company id whose 40 users then do everything (the one-company
-- export's database, bench/lib/export-company.mjs). User u works for company 5001 + u % 50.
WITH kinds AS (
  SELECT k.k, f.functionalityid, t.eventtypeid, k.hi
  FROM bench_kinds k
  JOIN auditfunctionalities f ON f.functionalityname = k.functionality
  JOIN auditeventtypes t ON t.functionalityid = f.functionalityid AND t.eventtypename = k.event_type
),
g AS (
  SELECT i,
         $4::timestamptz + ($5::timestamptz - $4::timestamptz) * ((i - 0.5) / $3::float8)
           + (hashint8extended(i, 7) % 15000) * interval '1 millisecond' AS ts,
         CASE WHEN $6::bigint IS NULL THEN abs(hashint8extended(i, 1)) % 2000
              ELSE ($6::bigint - 5001) + 50 * (abs(hashint8extended(i, 1)) % 40) END AS u,
         abs(hashint8extended(i, 2)) % 1000 AS pick,
         abs(hashint8extended(i, 3)) AS r
  FROM generate_series($1::bigint, $2::bigint) AS i
),
e AS (
  SELECT g.i, g.ts, g.r, bu.username, bu.companyid,
         CASE WHEN g.pick < 300 THEN 1 WHEN g.pick < 500 THEN 2 WHEN g.pick < 520 THEN 3
              WHEN g.pick < 550 THEN 4 WHEN g.pick < 750 THEN 5 WHEN g.pick < 850 THEN 6
              WHEN g.pick < 950 THEN 7 ELSE 8 END AS k,
         CASE WHEN g.r % 20 = 0 THEN NULL ELSE 90 + (bu.companyid - 5000) * 10 + (g.r / 20) % 10 END AS store,
         (g.r / 1000) % 100 < 4 AS failed,
         100000 + (g.r / 7) % 900000 AS item,
         round(0.99 + ((g.r / 11) % 5000) / 100.0, 2) AS old_price,
         round(0.99 + ((g.r / 13) % 5000) / 100.0, 2) AS new_price,
         1 + (g.r / 17) % 400 AS n,
         (g.r / 19) % 1000000 AS batch
  FROM g JOIN bench_users bu ON bu.u = g.u
)
INSERT INTO auditevents (eventtimestamp, functionalityid, eventtypeid, storelocationid, companyid,
                         username, message, status, additionaldata, createdat)
SELECT e.ts, kinds.functionalityid, kinds.eventtypeid, e.store, e.companyid, e.username,
       CASE e.k
         WHEN 1 THEN CASE WHEN e.failed THEN format('Login failed for user %s: invalid password', e.username)
                          ELSE format('User %s logged in successfully', e.username) END
         WHEN 2 THEN format('User %s logged out', e.username)
         WHEN 3 THEN format('New user account created for %s', e.username)
         WHEN 4 THEN format('Password reset requested for user %s', e.username)
         WHEN 5 THEN CASE WHEN e.failed THEN format('Item %s price update rejected: price below cost', e.item)
                          ELSE format('Item %s price updated from %s to %s', e.item, e.old_price, e.new_price) END
         WHEN 6 THEN format('Publisher picked up %s item updates for store %s', e.n, coalesce(e.store, 0))
         WHEN 7 THEN format('Pushed %s item updates to rabbit MQ exchange price.updates', e.n)
         ELSE format('Acknowledgement received for batch %s from store %s', e.batch, coalesce(e.store, 0))
       END,
       CASE WHEN e.failed THEN 'Failed' ELSE 'Success' END,
       CASE WHEN e.k <= 4 THEN
         jsonb_build_object(
           'ip', format('10.%s.%s.%s', e.r % 256, (e.r / 256) % 256, (e.r / 65536) % 254 + 1),
           'browser', (ARRAY['Chrome', 'Firefox', 'Safari', 'Edge'])[1 + (e.r / 23) % 4],
           'os', (ARRAY['Windows 11', 'macOS 15', 'iOS 18', 'Android 15', 'Ubuntu 24.04'])[1 + (e.r / 29) % 5],
           'session_id', lpad(to_hex(e.r % 4294967296), 8, '0') || lpad(to_hex((e.r / 31) % 4294967296), 8, '0'))
       ELSE
         jsonb_build_object(
           'item_id', e.item, 'old_price', e.old_price, 'new_price', e.new_price, 'currency', 'USD',
           'batch_id', e.batch, 'items', e.n, 'source', 'pricing-engine')
       END,
       e.ts + interval '40 milliseconds'
FROM e JOIN kinds ON kinds.k = e.k
ORDER BY e.i;
