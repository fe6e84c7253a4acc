-- 012: moving in from WordPress and privacy.
-- Where each imported row came from (the WordPress site, by its
-- base_site_url, and the post or comment id there), so that importing the
-- same export again finds its rows instead of adding new ones; the old
-- addresses that answer 301 to an imported article; a marker for article
-- bodies that are HTML (cleaned on import) rather than Markdown; and the
-- indexes that the privacy commands and the address retention sweep walk.

ALTER TABLE articles ADD COLUMN body_format TEXT NOT NULL DEFAULT 'markdown'
    CHECK (body_format IN ('markdown', 'html'));

CREATE TABLE wp_posts (
    site       TEXT NOT NULL,
    wp_id      INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (site, wp_id)
) WITHOUT ROWID;
CREATE INDEX wp_posts_by_article ON wp_posts (article_id);

CREATE TABLE wp_comments (
    site       TEXT NOT NULL,
    wp_id      INTEGER NOT NULL,
    comment_id INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    wp_parent  INTEGER NOT NULL DEFAULT 0,     -- resolved to parent_id after the import
    PRIMARY KEY (site, wp_id)
) WITHOUT ROWID;
CREATE INDEX wp_comments_by_comment ON wp_comments (comment_id);

-- '/2024/05/harbour-bridge/' is kept as '/2024/05/harbour-bridge' (no
-- trailing slash), '/?p=12' as it is.
CREATE TABLE old_addresses (
    path       TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX old_addresses_by_article ON old_addresses (article_id);

-- privacy export and erase look a commenter up by email, whatever the article
CREATE INDEX comments_by_email_any ON comments (email COLLATE NOCASE);

-- the retention sweep walks only the comments that still hold an address
CREATE INDEX comments_with_address ON comments (created_at)
WHERE ip <> '' OR user_agent <> '';
