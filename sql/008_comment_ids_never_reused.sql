-- 008: a comment's id is never given to another comment. Under a plain
-- INTEGER PRIMARY KEY, deleting the newest comment freed its id for the
-- next one, so whatever still named the old id (a reader's folio_pending
-- cookie, a line of the moderation log) came to name a stranger's comment.
-- AUTOINCREMENT never hands out an id again, and SQLite can only add it by
-- building the table anew: the same columns, then every index and trigger
-- of sql/001, 002, 004 and 005 again.
--
-- The migration runs in a transaction with foreign keys on, so the new
-- table is filled first and the old one dropped after. Dropping it deletes
-- its rows first, with every foreign key's action: up to sql/007 nothing
-- else holds a foreign key to comments (moderation_log keeps comment_id as
-- a plain number); sql/012's wp_comments does, which is why no database
-- may have 012 without this one (a migration applied out of order after
-- 012 would lose wp_comments' rows). The rename turns the new table's own
-- reference (parent_id) to "comments".

CREATE TABLE comments_new (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id        INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    parent_id         INTEGER REFERENCES comments_new (id) ON DELETE SET NULL,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'spam', 'trash')),
    author            TEXT NOT NULL,
    email             TEXT NOT NULL,
    url               TEXT NOT NULL DEFAULT '',
    body              TEXT NOT NULL,
    ip                TEXT NOT NULL DEFAULT '',
    user_agent        TEXT NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    status_changed_at INTEGER NOT NULL,
    previous_status   TEXT                         -- where `restore` returns a comment to
);

-- Rows that a database written without foreign keys might hold (a tool's
-- connection) would fail the copy: a comment whose article is gone cannot
-- be shown anywhere and is left behind; a reply whose parent is gone
-- becomes top level, as ON DELETE SET NULL would have made it.
INSERT INTO comments_new (id, article_id, parent_id, status, author, email, url, body, ip,
                          user_agent, created_at, status_changed_at, previous_status)
SELECT c.id, c.article_id,
       CASE WHEN c.parent_id IN (SELECT p.id FROM comments p) THEN c.parent_id END,
       c.status, c.author, c.email, c.url, c.body, c.ip, c.user_agent, c.created_at,
       c.status_changed_at, c.previous_status
FROM comments c
WHERE c.article_id IN (SELECT a.id FROM articles a)
ORDER BY c.id;

DROP TABLE comments;
ALTER TABLE comments_new RENAME TO comments;

-- The next id follows the highest ever used, a deleted comment's too: the
-- moderation log still names deleted comments.
INSERT INTO sqlite_sequence (name, seq)
SELECT 'comments', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'comments');
UPDATE sqlite_sequence
SET seq = max(seq, coalesce((SELECT max(id) FROM comments), 0),
              coalesce((SELECT max(comment_id) FROM moderation_log), 0))
WHERE name = 'comments';

-- sql/001
CREATE INDEX comments_by_article ON comments (article_id, status, created_at, id);
CREATE INDEX comments_by_status ON comments (status, id);
CREATE INDEX comments_by_email ON comments (article_id, email);
CREATE INDEX comments_by_ip ON comments (ip, created_at);
CREATE INDEX comments_by_parent ON comments (parent_id);

-- sql/004
CREATE INDEX comments_by_commenter ON comments (email COLLATE NOCASE, author)
WHERE status = 'approved';

-- sql/002: the site's counts by status, counted again from the rows kept.
UPDATE comment_counts SET n = (SELECT count(*) FROM comments c WHERE c.status = comment_counts.status);

CREATE TRIGGER comment_counts_insert AFTER INSERT ON comments BEGIN
    UPDATE comment_counts SET n = n + 1 WHERE status = new.status;
END;
CREATE TRIGGER comment_counts_delete AFTER DELETE ON comments BEGIN
    UPDATE comment_counts SET n = n - 1 WHERE status = old.status;
END;
CREATE TRIGGER comment_counts_update AFTER UPDATE OF status ON comments
WHEN old.status <> new.status BEGIN
    UPDATE comment_counts SET n = n - 1 WHERE status = old.status;
    UPDATE comment_counts SET n = n + 1 WHERE status = new.status;
END;

-- sql/005: each article's counts, counted again from the rows kept.
DELETE FROM article_comment_counts;
INSERT INTO article_comment_counts (article_id, pending, approved, spam, trash)
SELECT article_id, sum(status = 'pending'), sum(status = 'approved'), sum(status = 'spam'),
       sum(status = 'trash')
FROM comments GROUP BY article_id;

CREATE TRIGGER article_comment_counts_insert AFTER INSERT ON comments BEGIN
    INSERT OR IGNORE INTO article_comment_counts (article_id) VALUES (new.article_id);
    UPDATE article_comment_counts
    SET pending = pending + (new.status = 'pending'),
        approved = approved + (new.status = 'approved'),
        spam = spam + (new.status = 'spam'),
        trash = trash + (new.status = 'trash')
    WHERE article_id = new.article_id;
END;
CREATE TRIGGER article_comment_counts_delete AFTER DELETE ON comments BEGIN
    UPDATE article_comment_counts
    SET pending = pending - (old.status = 'pending'),
        approved = approved - (old.status = 'approved'),
        spam = spam - (old.status = 'spam'),
        trash = trash - (old.status = 'trash')
    WHERE article_id = old.article_id;
END;
CREATE TRIGGER article_comment_counts_update AFTER UPDATE OF status, article_id ON comments
WHEN old.status <> new.status OR old.article_id <> new.article_id BEGIN
    UPDATE article_comment_counts
    SET pending = pending - (old.status = 'pending'),
        approved = approved - (old.status = 'approved'),
        spam = spam - (old.status = 'spam'),
        trash = trash - (old.status = 'trash')
    WHERE article_id = old.article_id;
    INSERT OR IGNORE INTO article_comment_counts (article_id) VALUES (new.article_id);
    UPDATE article_comment_counts
    SET pending = pending + (new.status = 'pending'),
        approved = approved + (new.status = 'approved'),
        spam = spam + (new.status = 'spam'),
        trash = trash + (new.status = 'trash')
    WHERE article_id = new.article_id;
END;
