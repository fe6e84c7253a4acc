-- 007: search finds the forms of an English word ("repair" finds
-- "repairs", "ferries" finds "ferry"): the index is built again with FTS5's
-- porter stemmer over the same unicode61 tokenizer. The triggers of sql/001
-- name the index, not its tokenizer, and stay as they are.
DROP TABLE articles_fts;
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, author, body, tags,
    content = 'articles', content_rowid = 'id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
