-- Benchmark dataset, part 1: the directory (50 companies, 500 stores), 2000 users and the
-- kinds of event with their share, message and additional data. Idempotent; bench_* tables
-- live only in benchmark databases.
CREATE TABLE IF NOT EXISTS bench_dataset (
  singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version     integer NOT NULL,
  target_rows bigint NOT NULL,
  loaded_rows bigint NOT NULL DEFAULT 0,
  span_start  timestamptz NOT NULL,
  span_end    timestamptz NOT NULL,
  first_id    bigint,
  last_id     bigint,
  complete    boolean NOT NULL DEFAULT false
);

INSERT INTO companies (companyid, companyname)
SELECT 5000 + c,
       (ARRAY['Acme', 'Northwind', 'Contoso', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Hooli', 'Vandelay'])[1 + (c - 1) % 10]
       || ' ' || (ARRAY['Retail', 'Grocers', 'Markets', 'Foods', 'Pharmacy'])[1 + (c - 1) / 10]
FROM generate_series(1, 50) AS c
ON CONFLICT (companyid) DO NOTHING;

-- Store ids 100..599: ten per company.
INSERT INTO storelocations (companyid, storelocationid, storename)
SELECT 5000 + c, 90 + c * 10 + s,
       (ARRAY['Downtown', 'Northgate', 'Riverside', 'Westfield', 'Lakeside', 'Hillcrest', 'Airport', 'Harbor', 'Midtown', 'Eastside'])[1 + s]
       || ' #' || (90 + c * 10 + s)
FROM generate_series(1, 50) AS c, generate_series(0, 9) AS s
ON CONFLICT (companyid, storelocationid) DO NOTHING;

-- 2000 users; user u works for company 5001 + u % 50.
CREATE TABLE IF NOT EXISTS bench_users (
  u         integer PRIMARY KEY,
  username  varchar(20) NOT NULL,
  companyid bigint NOT NULL
);
INSERT INTO bench_users (u, username, companyid)
SELECT u,
       lower((ARRAY['ann', 'bob', 'carl', 'dana', 'eve', 'finn', 'gia', 'hugo', 'ivy', 'jon', 'kai', 'lea', 'max', 'nia', 'otto', 'pam', 'raj', 'sam', 'tess', 'uma'])[1 + u % 20]
             || '.' || (ARRAY['smith', 'jones', 'brown', 'lee', 'garcia', 'miller', 'davis', 'lopez', 'wilson', 'moore'])[1 + (u / 20) % 10]
             || (u / 200)::text),
       5001 + u % 50
FROM generate_series(0, 1999) AS u
ON CONFLICT (u) DO NOTHING;

-- What happens, and how often (share in per mille, cumulative upper bound in hi).
CREATE TABLE IF NOT EXISTS bench_kinds (
  k             integer PRIMARY KEY,
  functionality text NOT NULL,
  event_type    text NOT NULL,
  hi            integer NOT NULL
);
INSERT INTO bench_kinds (k, functionality, event_type, hi) VALUES
  (1, 'Authenticate', 'Login', 300),
  (2, 'Authenticate', 'Logout', 500),
  (3, 'Authenticate', 'Sign up', 520),
  (4, 'Authenticate', 'Reset Password', 550),
  (5, 'Price Management', 'Item updated', 750),
  (6, 'Price Management', 'Item updates picked up by publisher', 850),
  (7, 'Price Management', 'Item updates pushed to rabbit MQ', 950),
  (8, 'Price Management', 'Item updates acknowledgement received', 1000)
ON CONFLICT (k) DO NOTHING;
