-- The company / store directory that gives events their CompanyName and StoreName.
CREATE TABLE IF NOT EXISTS companies (
  companyid   bigint PRIMARY KEY,
  companyname varchar(200) NOT NULL
);

-- A store id is only meaningful inside its company, so the pair is the key.
CREATE TABLE IF NOT EXISTS storelocations (
  companyid       bigint NOT NULL REFERENCES companies (companyid),
  storelocationid bigint NOT NULL,
  storename       varchar(200) NOT NULL,
  PRIMARY KEY (companyid, storelocationid)
);
