-- 018: search folds diacritics ("cafe" finds "café"). SQLite's index has
-- done so since 001 (unicode61 remove_diacritics 2, kept by 007's porter
-- tokenizer): nothing changes here. The number is taken so that SQLite's
-- and PostgreSQL's migrations stay paired (sql/pg/018_search_unaccent.sql).
SELECT 1;
