-- 019: nothing for SQLite. PostgreSQL's twin (sql/pg/019_site_version_once.sql)
-- moves the site's version once per transaction instead of once per row:
-- there, updating one row many times in one transaction costs more each
-- time. SQLite has no such cost; the number is taken to keep the two
-- sides' migrations paired.
SELECT 1;
