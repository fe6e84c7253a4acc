-- 016: comment pages and sitemap parts found by index, whatever the size.
--
-- Threads. Readers see an article's approved comments as threads: a thread
-- begins with an approved comment whose parent is not shown (none, or one
-- that is not approved: comment_tree floats such a reply to the top), and
-- holds the approved replies below it. `thread_root` marks the comments that
-- begin one; triggers keep it as statuses and parents change, and a parent's
-- status change re-marks its children (one index range, comments_by_parent).
--
-- Pages. Threads go in the order of their first comment's id (the order
-- they were stored). Page n holds threads (n-1)*P+1 .. n*P. To find the
-- k-th thread without walking k of them, the threads are counted per block
-- of 1024 ids in comment_thread_blocks (kept by the same triggers): the
-- block that holds the k-th is found by summing the article's block counts
-- (one row per block), and the thread within it by stepping over fewer than
-- 1024 entries of comment_threads. Nothing is numbered, so an approval, a
-- trash or a deletion anywhere changes one count, never every later row;
-- an import of a million comments, or deleting an article, stays linear.
ALTER TABLE comments ADD COLUMN thread_root INTEGER NOT NULL DEFAULT 0;

CREATE TABLE comment_thread_blocks (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    block      INTEGER NOT NULL,        -- comment id / 1024
    threads    INTEGER NOT NULL,        -- comments with thread_root = 1 in the block
    PRIMARY KEY (article_id, block)
) WITHOUT ROWID;

CREATE INDEX comment_threads ON comments (article_id, id) WHERE thread_root = 1;

-- The one place the counts change: a comment begins or stops beginning a thread.
CREATE TRIGGER comment_threads_mark AFTER UPDATE OF thread_root ON comments
WHEN old.thread_root <> new.thread_root BEGIN
    -- (not for an article being deleted: its comments go with it)
    INSERT OR IGNORE INTO comment_thread_blocks (article_id, block, threads)
    SELECT new.article_id, new.id / 1024, 0 WHERE EXISTS (
        SELECT 1 FROM articles a WHERE a.id = new.article_id);
    UPDATE comment_thread_blocks SET threads = threads + new.thread_root - old.thread_root
    WHERE article_id = new.article_id AND block = new.id / 1024;
END;

CREATE TRIGGER comment_threads_insert AFTER INSERT ON comments
WHEN new.status = 'approved' BEGIN
    UPDATE comments SET thread_root = (new.parent_id IS NULL OR coalesce(
        (SELECT p.status FROM comments p WHERE p.id = new.parent_id), '') <> 'approved')
    WHERE id = new.id;
END;

CREATE TRIGGER comment_threads_update AFTER UPDATE OF status, parent_id ON comments
WHEN old.status IS NOT new.status OR old.parent_id IS NOT new.parent_id BEGIN
    UPDATE comments SET thread_root = (new.status = 'approved' AND (new.parent_id IS NULL
        OR coalesce((SELECT p.status FROM comments p WHERE p.id = new.parent_id), '')
           <> 'approved'))
    WHERE id = new.id;
    -- shown or hidden now, this comment decides whether its approved
    -- replies continue its thread or begin their own
    UPDATE comments SET thread_root = (new.status <> 'approved')
    WHERE parent_id = new.id AND status = 'approved'
      AND (old.status = 'approved') <> (new.status = 'approved');
END;

-- Before the row goes: its replies (their parent_id about to become NULL)
-- begin threads of their own; its own count goes.
CREATE TRIGGER comment_threads_delete BEFORE DELETE ON comments BEGIN
    UPDATE comments SET thread_root = 1 WHERE parent_id = old.id AND status = 'approved';
    UPDATE comment_thread_blocks SET threads = threads - 1
    WHERE old.thread_root = 1 AND article_id = old.article_id AND block = old.id / 1024;
END;

-- The comments already stored: mark, then count.
UPDATE comments SET thread_root = 1
WHERE status = 'approved' AND (parent_id IS NULL OR coalesce(
    (SELECT p.status FROM comments p WHERE p.id = comments.parent_id), '') <> 'approved');
DELETE FROM comment_thread_blocks;
INSERT INTO comment_thread_blocks (article_id, block, threads)
SELECT article_id, id / 1024, count(*) FROM comments WHERE thread_root = 1
GROUP BY article_id, id / 1024;

-- Sitemaps: parts are ranges of 50,000 article ids, read from this index
-- alone (the articles' rows hold their bodies), and the number of published
-- articles is kept here, not counted.
CREATE INDEX articles_sitemap ON articles (status, id, updated_at, slug);
ALTER TABLE site_version ADD COLUMN published INTEGER NOT NULL DEFAULT 0;
UPDATE site_version SET published = (SELECT count(*) FROM articles WHERE status = 'published');
CREATE TRIGGER site_published_insert AFTER INSERT ON articles
WHEN new.status = 'published' BEGIN
    UPDATE site_version SET published = published + 1 WHERE id = 1;
END;
CREATE TRIGGER site_published_delete AFTER DELETE ON articles
WHEN old.status = 'published' BEGIN
    UPDATE site_version SET published = published - 1 WHERE id = 1;
END;
CREATE TRIGGER site_published_update AFTER UPDATE OF status ON articles
WHEN (old.status = 'published') <> (new.status = 'published') BEGIN
    UPDATE site_version SET published = published + (new.status = 'published')
                                                  - (old.status = 'published') WHERE id = 1;
END;
