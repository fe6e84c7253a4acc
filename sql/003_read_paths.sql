-- 003: what the readers' pages need to stay fast with a hundred thousand
-- articles: tag pages read in date order from an index, and one number that
-- changes whenever anything a public list page shows changes, which the
-- in-memory page cache checks before it serves a copy.

-- Each tag row carries its article's published_at (kept by the triggers
-- below), so a tag page walks article_tags_by_date newest first and stops
-- after one page, however many articles carry the tag and however few.
ALTER TABLE article_tags ADD COLUMN published_at INTEGER NOT NULL DEFAULT 0;
UPDATE article_tags
SET published_at = (SELECT a.published_at FROM articles a WHERE a.id = article_tags.article_id);
CREATE INDEX article_tags_by_date ON article_tags (slug, published_at DESC, article_id DESC);

CREATE TRIGGER article_tags_date_insert AFTER INSERT ON article_tags BEGIN
    UPDATE article_tags
    SET published_at = (SELECT a.published_at FROM articles a WHERE a.id = new.article_id)
    WHERE slug = new.slug AND article_id = new.article_id;
END;
CREATE TRIGGER article_tags_date_update AFTER UPDATE OF published_at ON articles
WHEN old.published_at <> new.published_at BEGIN
    UPDATE article_tags SET published_at = new.published_at WHERE article_id = new.id;
END;

-- The site's version: bumped by every change to an article (saving one,
-- and approving or withdrawing a comment on it, both of which bump the
-- article's own version too) and to the tags. One row, read by primary key.
CREATE TABLE site_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO site_version (id, n) VALUES (1, 1);

CREATE TRIGGER site_version_article_insert AFTER INSERT ON articles BEGIN
    UPDATE site_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER site_version_article_update AFTER UPDATE ON articles BEGIN
    UPDATE site_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER site_version_article_delete AFTER DELETE ON articles BEGIN
    UPDATE site_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER site_version_tag_insert AFTER INSERT ON article_tags BEGIN
    UPDATE site_version SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER site_version_tag_delete AFTER DELETE ON article_tags BEGIN
    UPDATE site_version SET n = n + 1 WHERE id = 1;
END;
