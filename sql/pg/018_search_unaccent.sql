-- 018 (PostgreSQL): search folds diacritics as SQLite's unicode61
-- remove_diacritics does, so that "cafe" finds "café" and "café" finds
-- "cafe". PostgreSQL's `unaccent` extension (a contrib module; Debian's
-- postgresql package has it) strips the marks. It is a trusted extension:
-- the database's owner (or anyone with CREATE on the database) may create
-- it. Otherwise a superuser runs `CREATE EXTENSION unaccent;` in the
-- database once, and folio init goes on from there (docs/running.md).
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent(text) is STABLE (it looks its dictionary up by search_path); a
-- generated column and its index need an IMMUTABLE function, so this one
-- names the dictionary and the function by their schema, wherever the
-- extension was put.
DO $do$
DECLARE
    s text := (SELECT n.nspname FROM pg_extension e
               JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent');
BEGIN
    EXECUTE format($f$CREATE FUNCTION folio_unaccent(text) RETURNS text
                      LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                      AS $body$SELECT %1$I.unaccent(%2$L::regdictionary, $1)$body$$f$,
                   s, quote_ident(s) || '.unaccent');
END
$do$;

-- A generated column's expression cannot be changed in place (before
-- PostgreSQL 17): the column and its index are made again.
ALTER TABLE articles DROP COLUMN search;
ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', folio_unaccent(title)), 'A') ||
    setweight(to_tsvector('english', folio_unaccent(tags)), 'B') ||
    setweight(to_tsvector('english', folio_unaccent(author)), 'C') ||
    setweight(to_tsvector('english', folio_unaccent(body)), 'D')) STORED;
CREATE INDEX articles_search ON articles USING gin (search);
