-- 001: the whole first schema: articles and their tags and search index,
-- comments, editors and their sessions, API tokens, the moderation log and
-- the server's own settings. Times are Unix seconds (UTC).

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    author        TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',        -- Markdown as written
    body_html     TEXT NOT NULL DEFAULT '',        -- rendered at save time
    tags          TEXT NOT NULL DEFAULT '',        -- names, comma-separated, as written
    source        TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    published_at  INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,                -- the article or its approved comments changed
    comments_open INTEGER NOT NULL DEFAULT 1 CHECK (comments_open IN (0, 1)),
    version       INTEGER NOT NULL DEFAULT 1       -- bumped with updated_at; keys page caches
);
CREATE INDEX articles_by_date ON articles (status, published_at DESC, id DESC);

CREATE TABLE article_tags (
    slug       TEXT NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    PRIMARY KEY (slug, article_id)
) WITHOUT ROWID;
CREATE INDEX article_tags_by_article ON article_tags (article_id);

CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, author, body, tags,
    content = 'articles', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, author, body, tags)
    VALUES (new.id, new.title, new.author, new.body, new.tags);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, author, body, tags)
    VALUES ('delete', old.id, old.title, old.author, old.body, old.tags);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, author, body, tags ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, author, body, tags)
    VALUES ('delete', old.id, old.title, old.author, old.body, old.tags);
    INSERT INTO articles_fts (rowid, title, author, body, tags)
    VALUES (new.id, new.title, new.author, new.body, new.tags);
END;

CREATE TABLE comments (
    id                INTEGER PRIMARY KEY,
    article_id        INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    parent_id         INTEGER REFERENCES comments (id) ON DELETE SET NULL,
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
CREATE INDEX comments_by_article ON comments (article_id, status, created_at, id);
CREATE INDEX comments_by_status ON comments (status, id);
CREATE INDEX comments_by_email ON comments (article_id, email);
CREATE INDEX comments_by_ip ON comments (ip, created_at);
CREATE INDEX comments_by_parent ON comments (parent_id);

CREATE TABLE editors (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    password_hash       TEXT NOT NULL,             -- crypto_pwhash_str (Argon2id)
    created_at          INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB NOT NULL UNIQUE,             -- the cookie's value is never stored
    editor_id    INTEGER NOT NULL REFERENCES editors (id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_editor ON sessions (editor_id);

CREATE TABLE login_failures (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    ip   TEXT NOT NULL,
    at   INTEGER NOT NULL
);
CREATE INDEX login_failures_by_name ON login_failures (name, at);
CREATE INDEX login_failures_by_ip ON login_failures (ip, at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);

CREATE TABLE moderation_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    editor_id   INTEGER REFERENCES editors (id) ON DELETE SET NULL,
    token_id    INTEGER REFERENCES api_tokens (id) ON DELETE SET NULL,
    actor       TEXT NOT NULL,                     -- the editor's or token's name at the time
    comment_id  INTEGER NOT NULL,                  -- kept after the comment is deleted
    article_id  INTEGER,
    old_status  TEXT,
    new_status  TEXT NOT NULL                      -- 'deleted' for a deletion
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
