-- 019 (PostgreSQL): the site's version moves once per transaction, and the
-- published articles are counted when a sitemap asks, instead of one
-- UPDATE of site_version's one row for every article or tag row written.
--
-- Why: each UPDATE of a row leaves a new version of it, and until the
-- transaction ends none can be cleaned away, so the next UPDATE of the same
-- row in the same transaction first walks past all of them. Per-row
-- triggers on one row made a transaction writing n articles cost n²: 4,000
-- articles in one statement took 3.5 s, 50,000 (a sitemap test, or a
-- WordPress import, which is one transaction) some ten minutes.
--
-- The version: readers only ever see committed states, so one move per
-- transaction that changes anything is enough for the page caches
-- (store.h: a change made visible moves the version on). changed_by holds
-- the transaction that moved it last; the other rows of that transaction
-- find the row already moved and leave it.
ALTER TABLE site_version ADD COLUMN changed_by bigint;

CREATE OR REPLACE FUNCTION folio_site_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE site_version SET n = n + 1, changed_at = extract(epoch FROM now())::bigint,
                            changed_by = txid_current()
    WHERE id = 1 AND changed_by IS DISTINCT FROM txid_current();
    RETURN NULL;
END $$;

-- The number of published articles (for the sitemap index) is counted from
-- articles_sitemap (status, id, ...) when a sitemap is made, which the page
-- cache keeps (statements.h, SITEMAP_COUNT).
DROP TRIGGER site_published ON articles;
DROP FUNCTION folio_site_published();
ALTER TABLE site_version DROP COLUMN published;
