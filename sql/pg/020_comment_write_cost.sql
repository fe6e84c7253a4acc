-- 020 (PostgreSQL): the indexes written with every comment, as
-- sql/020_comment_write_cost.sql makes them in SQLite (read its comments
-- for why). PostgreSQL tests a CHECK's IN list without building anything:
-- the constraints stay as they are.
DROP INDEX comments_by_article;
CREATE INDEX comments_approved_by_date ON comments (article_id, created_at, id)
WHERE status = 'approved';

DROP INDEX comments_by_email;
DROP INDEX comments_by_email_any;
CREATE INDEX comments_by_email_any ON comments (lower(email), article_id);

DROP INDEX comments_by_parent;
CREATE INDEX comments_by_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;
