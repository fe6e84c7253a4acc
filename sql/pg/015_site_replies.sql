-- 015 (PostgreSQL): replies written as the site, and the queue by article;
-- what sql/015_site_replies.sql makes in SQLite.
ALTER TABLE comments ADD COLUMN by_site integer NOT NULL DEFAULT 0 CHECK (by_site IN (0, 1));
CREATE INDEX comments_queue_by_article ON comments (article_id, status, id);
