-- 005: each article's comments counted by status, kept by triggers, so that
-- an article page, a list or the comment form reads four numbers by primary
-- key instead of counting: an article that has drawn ten thousand comments
-- waiting in the queue (a spam run) costs no more to show than any other.
-- (The site's totals are comment_counts, sql/002.)

CREATE TABLE article_comment_counts (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    pending    INTEGER NOT NULL DEFAULT 0,
    approved   INTEGER NOT NULL DEFAULT 0,
    spam       INTEGER NOT NULL DEFAULT 0,
    trash      INTEGER NOT NULL DEFAULT 0
);

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
