-- 015: the editors' tools in the queue. An editor's reply is marked as the
-- site's (shown with a badge under the article); the queue filtered by
-- article walks an index in the order it pages (by id), whatever the
-- article's comments' dates.

ALTER TABLE comments ADD COLUMN by_site INTEGER NOT NULL DEFAULT 0 CHECK (by_site IN (0, 1));

CREATE INDEX comments_queue_by_article ON comments (article_id, status, id);
