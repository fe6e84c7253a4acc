-- 016 (PostgreSQL): comment pages and sitemap parts found by index; what
-- sql/016_comment_pages.sql makes in SQLite (read its comments for why).
ALTER TABLE comments ADD COLUMN thread_root integer NOT NULL DEFAULT 0;

CREATE TABLE comment_thread_blocks (
    article_id bigint NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    block      bigint NOT NULL,         -- comment id / 1024
    threads    bigint NOT NULL,         -- comments with thread_root = 1 in the block
    PRIMARY KEY (article_id, block)
);

CREATE INDEX comment_threads ON comments (article_id, id) WHERE thread_root = 1;

-- Whether comment `c` begins a thread: approved, and its parent not shown.
CREATE FUNCTION folio_begins_thread(status text, parent bigint) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN status = 'approved' AND (parent IS NULL OR coalesce(
        (SELECT p.status FROM comments p WHERE p.id = parent), '') <> 'approved')
        THEN 1 ELSE 0 END
$$;

-- A comment going with its article (ON DELETE CASCADE) changes no thread:
-- and updating its row, or its replies', would check their article again.
CREATE FUNCTION folio_article_exists(article bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM articles a WHERE a.id = article)
$$;

-- The one place the counts change: a comment begins or stops beginning a thread.
CREATE FUNCTION folio_thread_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- (not for an article being deleted: its comments go with it)
    IF folio_article_exists(NEW.article_id) THEN
        INSERT INTO comment_thread_blocks (article_id, block, threads)
        VALUES (NEW.article_id, NEW.id / 1024, 0) ON CONFLICT DO NOTHING;
    END IF;
    UPDATE comment_thread_blocks SET threads = threads + NEW.thread_root - OLD.thread_root
    WHERE article_id = NEW.article_id AND block = NEW.id / 1024;
    RETURN NULL;
END $$;
CREATE TRIGGER comment_threads_mark AFTER UPDATE OF thread_root ON comments
    FOR EACH ROW WHEN (OLD.thread_root <> NEW.thread_root)
    EXECUTE FUNCTION folio_thread_mark();

CREATE FUNCTION folio_thread_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE comments SET thread_root = folio_begins_thread(NEW.status, NEW.parent_id)
    WHERE id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER comment_threads_insert AFTER INSERT ON comments
    FOR EACH ROW WHEN (NEW.status = 'approved')
    EXECUTE FUNCTION folio_thread_insert();

CREATE FUNCTION folio_thread_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT folio_article_exists(NEW.article_id) THEN
        RETURN NULL;
    END IF;
    UPDATE comments SET thread_root = folio_begins_thread(NEW.status, NEW.parent_id)
    WHERE id = NEW.id;
    -- shown or hidden now, this comment decides whether its approved
    -- replies continue its thread or begin their own
    IF (OLD.status = 'approved') <> (NEW.status = 'approved') THEN
        UPDATE comments SET thread_root = CASE WHEN NEW.status <> 'approved' THEN 1 ELSE 0 END
        WHERE parent_id = NEW.id AND status = 'approved';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER comment_threads_update AFTER UPDATE OF status, parent_id ON comments
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                       OR OLD.parent_id IS DISTINCT FROM NEW.parent_id)
    EXECUTE FUNCTION folio_thread_update();

-- Before the row goes: its replies (their parent_id about to become NULL)
-- begin threads of their own; its own count goes.
CREATE FUNCTION folio_thread_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT folio_article_exists(OLD.article_id) THEN
        RETURN OLD;
    END IF;
    UPDATE comments SET thread_root = 1 WHERE parent_id = OLD.id AND status = 'approved';
    IF OLD.thread_root = 1 THEN
        UPDATE comment_thread_blocks SET threads = threads - 1
        WHERE article_id = OLD.article_id AND block = OLD.id / 1024;
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER comment_threads_delete BEFORE DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION folio_thread_delete();

-- The comments already stored: mark, then count.
UPDATE comments SET thread_root = folio_begins_thread(status, parent_id);
DELETE FROM comment_thread_blocks;
INSERT INTO comment_thread_blocks (article_id, block, threads)
SELECT article_id, id / 1024, count(*) FROM comments WHERE thread_root = 1
GROUP BY article_id, id / 1024;

-- Sitemaps: parts are ranges of article ids read from this index alone,
-- and the number of published articles is kept here, not counted.
CREATE INDEX articles_sitemap ON articles (status, id, updated_at, slug);
ALTER TABLE site_version ADD COLUMN published bigint NOT NULL DEFAULT 0;
UPDATE site_version SET published = (SELECT count(*) FROM articles WHERE status = 'published');

CREATE FUNCTION folio_site_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE site_version
    SET published = published
        + CASE WHEN TG_OP <> 'DELETE' AND NEW.status = 'published' THEN 1 ELSE 0 END
        - CASE WHEN TG_OP <> 'INSERT' AND OLD.status = 'published' THEN 1 ELSE 0 END
    WHERE id = 1;
    RETURN NULL;
END $$;
CREATE TRIGGER site_published AFTER INSERT OR DELETE OR UPDATE OF status ON articles
    FOR EACH ROW EXECUTE FUNCTION folio_site_published();
