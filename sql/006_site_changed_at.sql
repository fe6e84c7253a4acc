-- 006: when anything a public list page shows last changed, for the
-- Last-Modified of the front page, tag pages and the feed. The newest
-- article on a page is not enough: deleting, unpublishing or back-dating an
-- article changes the list without a newer article on it. Every change that
-- bumps the site's version (sql/003) now also stamps the time.
ALTER TABLE site_version ADD COLUMN changed_at INTEGER NOT NULL DEFAULT 0;
UPDATE site_version SET changed_at = coalesce((SELECT max(updated_at) FROM articles), 0);

CREATE TRIGGER site_version_changed_at AFTER UPDATE OF n ON site_version BEGIN
    UPDATE site_version SET changed_at = CAST(strftime('%s', 'now') AS INTEGER) WHERE id = 1;
END;
