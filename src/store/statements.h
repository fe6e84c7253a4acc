/* statements: every SQL statement the store prepares, with its name.
 *
 * An X-macro list: a file that includes it defines STMT(name, sql) first.
 * db.h makes the enum (STMT_name) from it and db.c the table of SQL, so a
 * name and its text cannot drift apart, and db_stmt(s, STMT_name) is all a
 * caller writes. Grouped by the file that runs them. Column lists that
 * several statements share, and that a reader function reads in order,
 * are macros just below.
 *
 * One text serves both databases where SQLite and PostgreSQL agree; where
 * they differ, the list at the end (STMT_PG, read only by db_pgsql.c when it
 * defines STMT_PG) gives PostgreSQL's own text for the same name, with the
 * same parameters and the same columns in the same order. */
#ifndef FOLIO_STATEMENT_COLUMNS
#define FOLIO_STATEMENT_COLUMNS

/* The columns of a comment, in the order db_read_comment reads them (the
 * table is `c`); queries append their own columns after these 12. (created_at
 * stays the 11th: COMMENT_FOR_ARTICLE orders by it.) */
#define COMMENT_COLUMNS                                                                     \
    "c.id, c.article_id, coalesce(c.parent_id, 0), c.status, c.author, c.email, c.url, "    \
    "c.body, c.ip, c.user_agent, c.created_at, c.by_site "
#define COMMENT_COLUMN_COUNT 12

/* The columns read_article (articles.c) expects, in order. */
#define ARTICLE_COLUMNS                                                                      \
    "a.id, a.slug, a.title, a.author, a.body, a.body_html, a.tags, a.source, a.status, "      \
    "a.published_at, a.updated_at, a.version, a.comments_open, "                              \
    /* counts kept by triggers (sql/005): read by key, never counted */                    \
    "coalesce((SELECT k.pending FROM article_comment_counts k WHERE k.article_id = a.id), 0), " \
    "coalesce((SELECT k.approved FROM article_comment_counts k WHERE k.article_id = a.id), 0), " \
    "coalesce((SELECT k.spam FROM article_comment_counts k WHERE k.article_id = a.id), 0), "  \
    "coalesce((SELECT k.trash FROM article_comment_counts k WHERE k.article_id = a.id), 0), " \
    "a.summary, a.image, a.image_alt "

/* A comment with its article (comment_queries.c's read_view). */
#define VIEW_COLUMNS COMMENT_COLUMNS ", a.slug, a.title "

/* A reply's parent: its author and its first 120 characters on one line
 * (CR and LF are written as themselves: both databases take them so). */
#define PARENT_EXCERPT                                                                      \
    "coalesce(p.author, ''), coalesce(replace(replace(CASE WHEN length(p.body) > 120 "      \
    "THEN substr(p.body, 1, 120) || '…' ELSE p.body END, '\r', ''), '\n', ' '), '') "
/* moderation.c's read_queue_item. */
#define QUEUE_COLUMNS \
    COMMENT_COLUMNS ", a.slug, a.title, coalesce(c.previous_status, ''), " PARENT_EXCERPT
/* CROSS JOIN keeps comments the outer loop, so the index comments_by_status
 * (status, id) walks in order and the LIMIT stops it early. */
#define QUEUE_FROM                                                                          \
    "FROM comments c CROSS JOIN articles a LEFT JOIN comments p ON p.id = c.parent_id "     \
    "WHERE a.id = c.article_id AND "

/* The queue's search (store_comments_queue): :like is '' for none, else a
 * LIKE pattern whose wildcards the caller escaped with a backslash. Both
 * sides lowered: SQLite's LIKE ignores case, PostgreSQL's does not. */
#define TEXT_MATCH                                                                          \
    "(:like = '' OR lower(c.body) LIKE lower(:like) ESCAPE '\\' "                            \
    "OR lower(c.author) LIKE lower(:like) ESCAPE '\\' "                                       \
    "OR lower(c.email) LIKE lower(:like) ESCAPE '\\') "

/* moderation.c's read_log_entry. */
#define LOG_COLUMNS                                                                         \
    "l.id, l.at, coalesce(l.editor_id, 0), coalesce(l.token_id, 0), l.actor, l.comment_id, " \
    "coalesce(l.article_id, 0), coalesce(l.old_status, ''), l.new_status, "                 \
    "coalesce(a.slug, ''), coalesce(a.title, ''), coalesce(c.status, '') "
#define LOG_FROM                                                                            \
    "FROM moderation_log l LEFT JOIN articles a ON a.id = l.article_id "                    \
    "LEFT JOIN comments c ON c.id = l.comment_id WHERE "

/* tokens.c's read_token. */
#define TOKEN_COLUMNS "id, name, created_at, coalesce(last_used_at, 0), coalesce(revoked_at, 0) "

#endif

#ifndef STMT
#error "define STMT(name, sql) before including store/statements.h"
#endif

/* ---- articles.c ---- */

STMT(ARTICLE_BY_SLUG,
     "SELECT " ARTICLE_COLUMNS "FROM articles a "
     "WHERE a.slug = :slug AND (:any OR a.status = 'published')")
STMT(ARTICLE_PUBLISHED,
     "SELECT " ARTICLE_COLUMNS "FROM articles a WHERE a.status = 'published' "
     "ORDER BY a.published_at DESC, a.id DESC LIMIT :limit OFFSET :offset")
/* Sitemaps (pages/sitemap.c): by id ranges, read from the covering index
 * articles_sitemap (sql/016), never from the rows, which hold the bodies;
 * the count is kept by triggers (sql/016). */
STMT(SITEMAP_COUNT,
     "SELECT published FROM site_version WHERE id = 1")
STMT(SITEMAP_LAST_ID,
     "SELECT coalesce(max(id), 0) FROM articles WHERE status = 'published'")
STMT(SITEMAP_ARTICLES,
     "SELECT slug, '', 0, updated_at FROM articles "
     "WHERE status = 'published' AND id > :after AND id <= :last ORDER BY id LIMIT :limit")
STMT(SITEMAP_ANY,
     "SELECT 1 FROM articles WHERE status = 'published' AND id > :after AND id <= :last "
     "LIMIT 1")
STMT(SITEMAP_NEWS,
     "SELECT a.slug, a.title, a.published_at, a.updated_at FROM articles a "
     "WHERE a.status = 'published' AND a.published_at >= :since "
     "ORDER BY a.published_at DESC, a.id DESC LIMIT :limit")
STMT(ARTICLE_PUBLISHED_TAG,
     "SELECT " ARTICLE_COLUMNS "FROM article_tags t "
     "JOIN articles a ON a.id = t.article_id "
     "WHERE t.slug = :tag AND a.status = 'published' "
     /* t.published_at is a copy of a's (sql/003): the
      * order comes from article_tags_by_date */
     "ORDER BY t.published_at DESC, t.article_id DESC "
     "LIMIT :limit OFFSET :offset")
/* A tag that only drafts carry is no tag to readers. */
STMT(ARTICLE_TAG_NAME,
     "SELECT t.name FROM article_tags t JOIN articles a ON a.id = t.article_id "
     "WHERE t.slug = :tag AND a.status = 'published' LIMIT 1")
STMT(ARTICLE_SEARCH,
     "SELECT " ARTICLE_COLUMNS "FROM articles_fts f "
     "JOIN articles a ON a.id = f.rowid "
     "WHERE articles_fts MATCH :query AND a.status = 'published' "
     "ORDER BY f.rank LIMIT :limit")
STMT(ARTICLE_ALL,
     "SELECT " ARTICLE_COLUMNS "FROM articles a ORDER BY a.published_at DESC, a.id DESC")
STMT(ARTICLE_ID_BY_SLUG,
     "SELECT id FROM articles WHERE slug = :slug")
STMT(ARTICLE_INSERT,
     "INSERT INTO articles (slug, title, author, body, body_html, tags, source, "
     "summary, image, image_alt, status, published_at, updated_at, comments_open) "
     "VALUES (:slug, :title, :author, :body, :body_html, :tags, :source, "
     ":summary, :image, :image_alt, :status, :published_at, :now, :comments_open)")
STMT(ARTICLE_UPDATE,
     "UPDATE articles SET title = :title, author = :author, body = :body, "
     "body_html = :body_html, tags = :tags, source = :source, summary = :summary, "
     "image = :image, image_alt = :image_alt, status = :status, "
     "published_at = :published_at, updated_at = :now, "
     "comments_open = :comments_open, body_format = 'markdown', "
     "version = version + 1 WHERE id = :id")
STMT(ARTICLE_TAGS_CLEAR,
     "DELETE FROM article_tags WHERE article_id = :id")
STMT(ARTICLE_TAG_ADD,
     "INSERT OR IGNORE INTO article_tags (slug, article_id, name) "
     "VALUES (:slug, :id, :name)")
STMT(ARTICLE_DELETE,
     "DELETE FROM articles WHERE slug = :slug")
STMT(ARTICLE_TOUCH,
     "UPDATE articles SET updated_at = max(updated_at, :now), version = version + 1 "
     "WHERE id = :id")
STMT(ARTICLE_SET_STATUS,
     "UPDATE articles SET status = :status, updated_at = :now, "
     "version = version + 1 WHERE slug = :slug")
/* The JSON API's keyset paging: by id, one status, or all for ''. */
STMT(ARTICLE_PAGE,
     "SELECT " ARTICLE_COLUMNS "FROM articles a "
     "WHERE a.id > :after AND (:status = '' OR a.status = :status) "
     "ORDER BY a.id LIMIT :limit")

/* ---- comment_pages.c: threads and the pages that hold them (sql/016) ---- */
/* One page: the threads whose first comment's id is in [:from, :to), read
 * through comment_threads, with their approved replies found parent by
 * parent through comments_by_parent (never the article's other comments);
 * then the reader's own held comments (pending, or spam that must look
 * pending to them, so a bot cannot tell it was caught; their ids a JSON
 * array, so one statement serves any number) that stand on this page: in
 * the thread of their nearest shown ancestor, or, with none, on their own
 * where their id puts them (thread = their id). The walk up is bounded:
 * an imported file could make a cycle of parents. The thread follows
 * COMMENT_COLUMNS; ordered by thread, then created_at, then id (by name:
 * COMMENT_COLUMNS may grow). */
STMT(COMMENT_PAGE,
     "WITH RECURSIVE shown(id, thread) AS ("
     "  SELECT id, id FROM comments WHERE article_id = :article AND thread_root = 1 "
     "  AND id >= :from AND id < :to "
     "  UNION ALL "
     "  SELECT c.id, s.thread FROM shown s JOIN comments c "
     "  ON c.parent_id = s.id AND c.status = 'approved'), "
     "walk(own, id, parent_id, root, depth) AS ("
     "  SELECT c.id, c.id, c.parent_id, c.thread_root, 0 FROM comments c "
     "  WHERE c.id IN (SELECT value FROM json_each(:own)) "
     "  AND +c.article_id = :article AND +c.status IN ('pending', 'spam') "
     "  UNION ALL "
     "  SELECT w.own, p.id, p.parent_id, p.thread_root, w.depth + 1 FROM walk w "
     "  JOIN comments p ON p.id = w.parent_id "
     "  WHERE w.root = 0 AND p.status = 'approved' AND w.depth < 10000), "
     "placed(id, thread) AS ("
     "  SELECT own, coalesce(max(CASE WHEN root = 1 THEN id END), own) FROM walk GROUP BY own) "
     "SELECT * FROM ("
     "  SELECT " COMMENT_COLUMNS ", s.thread AS thread FROM shown s "
     "  JOIN comments c ON c.id = s.id "
     "  UNION ALL "
     "  SELECT " COMMENT_COLUMNS ", p.thread FROM placed p JOIN comments c ON c.id = p.id "
     "  WHERE p.thread >= :from AND p.thread < :to) "
     "ORDER BY thread, created_at, id")
STMT(THREAD_COUNT,
     "SELECT coalesce(sum(threads), 0) FROM comment_thread_blocks WHERE article_id = :article")
/* The article's blocks of ids in order, each with its count of threads:
 * one row per block, never per comment (store_thread_start adds them up;
 * a window function over the same rows was several times slower). */
STMT(THREAD_BLOCKS,
     "SELECT block, threads FROM comment_thread_blocks WHERE article_id = :article "
     "ORDER BY block")
/* The offset is below 1024: it steps within one block. */
STMT(THREAD_IN_BLOCK,
     "SELECT id FROM comments WHERE article_id = :article AND thread_root = 1 "
     "AND id >= :block * 1024 ORDER BY id LIMIT 1 OFFSET :skip")
/* Where a comment stands: walking up from it while the parent is shown, to
 * the first comment of its thread (in_thread 1), or to itself when it is
 * shown on its own (a held comment at the top, or below a held parent);
 * then how many threads begin before that id: the blocks before its block,
 * and fewer than 1024 ids within it. */
STMT(COMMENT_PLACE,
     "WITH RECURSIVE walk(id, parent_id, root, article_id, depth) AS ("
     "  SELECT id, parent_id, thread_root, article_id, 0 FROM comments WHERE id = :id "
     "  UNION ALL "
     "  SELECT p.id, p.parent_id, p.thread_root, p.article_id, w.depth + 1 FROM walk w "
     "  JOIN comments p ON p.id = w.parent_id "
     "  WHERE w.root = 0 AND p.status = 'approved' AND w.depth < 10000), "
     "place(article_id, key, in_thread) AS ("
     "  SELECT max(article_id), coalesce(max(CASE WHEN root = 1 THEN id END), :id), "
     "  max(root) FROM walk HAVING count(*) > 0) "
     "SELECT p.article_id, p.in_thread, "
     "  coalesce((SELECT sum(b.threads) FROM comment_thread_blocks b "
     "    WHERE b.article_id = p.article_id AND b.block < p.key / 1024), 0) "
     "  + (SELECT count(*) FROM comments c WHERE c.article_id = p.article_id "
     "    AND c.thread_root = 1 AND c.id >= (p.key / 1024) * 1024 AND c.id < p.key) "
     "FROM place p")
/* COMMENT_PLACE for a comment without a parent (a new comment posted at
 * the top, the common case on the way to its 303): it is its own thread's
 * first comment when approved, or shown on its own; no walk up the replies
 * and no aggregate over it. No row for a reply: COMMENT_PLACE then. */
STMT(COMMENT_PLACE_TOP,
     "SELECT c.article_id, c.thread_root, "
     "  coalesce((SELECT sum(b.threads) FROM comment_thread_blocks b "
     "    WHERE b.article_id = c.article_id AND b.block < c.id / 1024), 0) "
     "  + (SELECT count(*) FROM comments t WHERE t.article_id = c.article_id "
     "    AND t.thread_root = 1 AND t.id >= (c.id / 1024) * 1024 AND t.id < c.id) "
     "FROM comments c WHERE c.id = :id AND c.parent_id IS NULL")
/* ---- comments.c ---- */
STMT(COMMENT_RECENT,
     "SELECT " COMMENT_COLUMNS "FROM comments c "
     "WHERE c.article_id = :article AND c.status = 'approved' "
     "ORDER BY c.created_at DESC, c.id DESC LIMIT :limit")
STMT(COMMENT_INSERT,
     "INSERT INTO comments (article_id, parent_id, status, author, email, url, body, "
     "ip, user_agent, created_at, status_changed_at) "
     "VALUES (:article, nullif(:parent, 0), :status, :author, :email, :url, :body, "
     ":ip, :user_agent, :now, :now)")
/* Comments of every status count against the rate: spam fills the
 * database as much as anything else. */
STMT(COMMENT_RATE,
     "SELECT count(*), coalesce(min(created_at), 0) FROM comments "
     "WHERE ip = :ip AND created_at > :since")
/* The email compared exactly; compared without case too, so that
 * comments_by_email_any (email COLLATE NOCASE, article_id; sql/020) finds
 * the commenter's comments on the article. */
STMT(COMMENT_DUPLICATE,
     "SELECT 1 FROM comments WHERE email = :email COLLATE NOCASE AND article_id = :article "
     "AND email = :email AND body = :body LIMIT 1")
STMT(COMMENT_PARENT_OK,
     "SELECT 1 FROM comments WHERE id = :id AND article_id = :article "
     "AND status = 'approved'")
/* The collation matches comments_by_commenter (sql/004), a partial
 * index of approved comments. */
STMT(COMMENT_KNOWN,
     "SELECT 1 FROM comments WHERE status = 'approved' "
     "AND email = :email COLLATE NOCASE AND author = :author LIMIT 1")

/* ---- comment_edits.c: a commenter's own changes ---- */
/* The row the reader's cookie names: its id and the time it was made. */
STMT(OWN_GET,
     "SELECT status, article_id, email, author FROM comments "
     "WHERE id = :id AND created_at = :created")
/* As COMMENT_DUPLICATE. */
STMT(OWN_DUPLICATE,
     "SELECT 1 FROM comments WHERE email = :email COLLATE NOCASE AND article_id = :article "
     "AND email = :email AND body = :body AND id <> :id LIMIT 1")
/* Expressions on the right read the row as it was: a move into spam
 * remembers where it came from, for restore. */
STMT(OWN_UPDATE,
     "UPDATE comments SET author = :author, url = :url, body = :body, status = :status, "
     "status_changed_at = CASE WHEN status = :status THEN status_changed_at ELSE :now END, "
     "previous_status = CASE WHEN :status = 'spam' THEN status ELSE previous_status END "
     "WHERE id = :id AND status = 'pending'")

/* ---- comment_queries.c ---- */
/* Keyset paging by id: one status, or all for ''. */
STMT(COMMENT_VIEW_PAGE,
     "SELECT " VIEW_COLUMNS "FROM comments c JOIN articles a ON a.id = c.article_id "
     "WHERE c.id > :after AND (:status = '' OR c.status = :status) "
     "AND (:article = 0 OR c.article_id = :article) AND " TEXT_MATCH
     "ORDER BY c.id LIMIT :limit")
STMT(COMMENT_VIEW_BY_ID,
     "SELECT " VIEW_COLUMNS "FROM comments c JOIN articles a ON a.id = c.article_id "
     "WHERE c.id = :id")

/* ---- editors.c ---- */
STMT(EDITOR_ADD,
     "INSERT INTO editors (name, password_hash, created_at, password_changed_at) "
     "VALUES (:name, :hash, :now, :now)")
STMT(EDITOR_SET_PASSWORD,
     "UPDATE editors SET password_hash = :hash, password_changed_at = :now "
     "WHERE name = :name")
STMT(EDITOR_REHASH,
     "UPDATE editors SET password_hash = :new WHERE id = :id AND password_hash = :old")
STMT(EDITOR_END_SESSIONS,
     "DELETE FROM sessions WHERE editor_id = "
     "(SELECT id FROM editors WHERE name = :name)")
STMT(EDITOR_DELETE,
     "DELETE FROM editors WHERE name = :name")
STMT(EDITOR_BY_NAME,
     "SELECT id, name, password_hash, created_at, password_changed_at, 0 "
     "FROM editors WHERE name = :name")
STMT(EDITOR_LIST,
     "SELECT e.id, e.name, '', e.created_at, e.password_changed_at, "
     "(SELECT count(*) FROM sessions s WHERE s.editor_id = e.id "
     "AND s.last_seen_at > :idle AND s.created_at > :oldest) "
     "FROM editors e ORDER BY e.name")
STMT(SESSION_CREATE,
     "INSERT INTO sessions (token_hash, editor_id, csrf_token, created_at, "
     "last_seen_at) VALUES (:hash, :editor, :csrf, :now, :now)")
STMT(SESSION_FIND,
     "SELECT s.id, s.editor_id, e.name, s.csrf_token, s.last_seen_at "
     "FROM sessions s JOIN editors e ON e.id = s.editor_id "
     "WHERE s.token_hash = :hash AND s.last_seen_at > :idle AND s.created_at > :oldest")
STMT(SESSION_TOUCH,
     "UPDATE sessions SET last_seen_at = :now WHERE id = :id")
STMT(SESSION_DELETE,
     "DELETE FROM sessions WHERE id = :id")
STMT(SESSION_PURGE,
     "DELETE FROM sessions WHERE last_seen_at <= :idle OR created_at <= :oldest")
STMT(LOGIN_FAILURE_ADD,
     "INSERT INTO login_failures (name, ip, at) VALUES (:name, :ip, :now)")
STMT(LOGIN_FAILURE_PRUNE,
     "DELETE FROM login_failures WHERE at <= :since")
STMT(LOGIN_FAILURE_NAME_SUMMARY,
     "SELECT count(*), coalesce(max(at), 0) FROM login_failures "
     "WHERE name = :name AND at > :since")
STMT(LOGIN_FAILURE_NTH_IP,
     "SELECT at FROM login_failures WHERE ip = :ip AND at > :since "
     "ORDER BY at DESC LIMIT 1 OFFSET :nth")
STMT(LOGIN_FAILURE_CLEAR,
     "DELETE FROM login_failures WHERE name = :name")
STMT(LOGIN_FAILURE_CLEAR_PAIR,
     "DELETE FROM login_failures WHERE name = :name AND ip = :ip")

/* ---- moderation.c ---- */
STMT(MOD_GET,
     "SELECT status, article_id, previous_status FROM comments WHERE id = :id")
STMT(MOD_SET,
     "UPDATE comments SET status = :status, status_changed_at = :now, "
     "previous_status = :previous WHERE id = :id")
STMT(MOD_DELETE,
     "DELETE FROM comments WHERE id = :id")
STMT(MOD_LOG,
     "INSERT INTO moderation_log (at, editor_id, token_id, actor, comment_id, "
     "article_id, old_status, new_status) VALUES (:now, nullif(:editor, 0), "
     "nullif(:token, 0), :actor, :comment, :article, :old, :new)")
/* Kept by the triggers of sql/002_comment_counts.sql. */
STMT(MOD_COUNTS,
     "SELECT (SELECT n FROM comment_counts WHERE status = 'pending'), "
     "(SELECT n FROM comment_counts WHERE status = 'approved'), "
     "(SELECT n FROM comment_counts WHERE status = 'spam'), "
     "(SELECT n FROM comment_counts WHERE status = 'trash')")
STMT(MOD_PAGE_UP,
     "SELECT " QUEUE_COLUMNS QUEUE_FROM
     "c.status = :status AND c.id > :cursor ORDER BY c.id LIMIT :limit")
STMT(MOD_PAGE_DOWN,
     "SELECT " QUEUE_COLUMNS QUEUE_FROM
     "c.status = :status AND c.id < :cursor ORDER BY c.id DESC LIMIT :limit")
/* The queue narrowed to one article (comments_queue_by_article, sql/015),
 * and to a search when :like is not ''. */
STMT(MOD_ARTICLE_UP,
     "SELECT " QUEUE_COLUMNS QUEUE_FROM "c.article_id = :article AND c.status = :status "
     "AND c.id > :cursor AND " TEXT_MATCH "ORDER BY c.id LIMIT :limit")
STMT(MOD_ARTICLE_DOWN,
     "SELECT " QUEUE_COLUMNS QUEUE_FROM "c.article_id = :article AND c.status = :status "
     "AND c.id < :cursor AND " TEXT_MATCH "ORDER BY c.id DESC LIMIT :limit")
/* The whole queue searched: comments_by_status, each row matched. */
STMT(MOD_SEARCH_UP,
     "SELECT " QUEUE_COLUMNS QUEUE_FROM "c.status = :status AND c.id > :cursor AND "
     TEXT_MATCH "ORDER BY c.id LIMIT :limit")
STMT(MOD_SEARCH_DOWN,
     "SELECT " QUEUE_COLUMNS QUEUE_FROM "c.status = :status AND c.id < :cursor AND "
     TEXT_MATCH "ORDER BY c.id DESC LIMIT :limit")
/* An editor's changes from the queue: the text (nothing when it is the
 * same), and a reply marked as the site's. */
STMT(MOD_SET_TEXT,
     "UPDATE comments SET body = :body WHERE id = :id AND body <> :body")
STMT(MOD_REPLY_INSERT,
     "INSERT INTO comments (article_id, parent_id, status, author, email, url, body, "
     "ip, user_agent, created_at, status_changed_at, by_site) "
     "VALUES (:article, :parent, 'approved', :author, '', '', :body, '', '', :now, :now, 1)")
STMT(MOD_LOG_UP,
     "SELECT " LOG_COLUMNS LOG_FROM "l.id > :cursor ORDER BY l.id LIMIT :limit")
STMT(MOD_LOG_DOWN,
     "SELECT " LOG_COLUMNS LOG_FROM
     "l.id < :cursor ORDER BY l.id DESC LIMIT :limit")
STMT(MOD_LAST_LOG_ID,
     "SELECT coalesce(max(id), 0) FROM moderation_log")
/* The rows of one editor's action, each with whether it is still the
 * last change of its comment (only rows after :to can be later ones). */
STMT(MOD_UNDO_ROWS,
     "SELECT l.comment_id, coalesce(l.old_status, ''), l.new_status, "
     "NOT EXISTS (SELECT 1 FROM moderation_log m WHERE m.id > :to "
     "AND m.comment_id = l.comment_id) "
     "FROM moderation_log l WHERE l.id BETWEEN :from AND :to "
     "AND l.editor_id = :editor ORDER BY l.id")

/* ---- tokens.c ---- */
STMT(TOKEN_INSERT,
     "INSERT INTO api_tokens (name, token_hash, created_at) "
     "VALUES (:name, :hash, strftime('%s', 'now'))")
STMT(TOKEN_LIST,
     "SELECT " TOKEN_COLUMNS "FROM api_tokens ORDER BY id")
STMT(TOKEN_REVOKE,
     "UPDATE api_tokens SET revoked_at = strftime('%s', 'now') "
     "WHERE id = :id AND revoked_at IS NULL")
STMT(TOKEN_STATE,
     "SELECT revoked_at IS NOT NULL FROM api_tokens WHERE id = :id")
STMT(TOKEN_BY_HASH,
     "SELECT " TOKEN_COLUMNS "FROM api_tokens "
     "WHERE token_hash = :hash AND revoked_at IS NULL")
STMT(TOKEN_TOUCH,
     "UPDATE api_tokens SET last_used_at = :now WHERE id = :id")

/* ---- versions.c ---- */
/* A comment's article as posting needs it on the way to a 303: no body,
 * no counts (the full row only for a refused form, to render it again). */
STMT(VERSION_POST_TARGET,
     "SELECT id, comments_open FROM articles WHERE slug = :slug AND status = 'published'")
STMT(VERSION_ARTICLE,
     "SELECT id, version FROM articles WHERE slug = :slug AND status = 'published'")
STMT(VERSION_SITE,
     "SELECT n FROM site_version WHERE id = 1")
STMT(VERSION_SITE_CHANGED,
     "SELECT changed_at FROM site_version WHERE id = 1")

/* ---- wordpress.c ---- */
STMT(WP_POST_FIND,
     "SELECT article_id FROM wp_posts WHERE site = :site AND wp_id = :wp_id")
STMT(WP_ARTICLE_READ,
     "SELECT title, author, body_html, tags, status, published_at, "
     "comments_open, body_format FROM articles WHERE id = :id")
STMT(WP_SLUG_TAKEN,
     "SELECT 1 FROM articles WHERE slug = :slug")
STMT(WP_ARTICLE_INSERT,
     "INSERT INTO articles (slug, title, author, body, body_html, tags, source, status, "
     "published_at, updated_at, comments_open, body_format) "
     "VALUES (:slug, :title, :author, :body, :body_html, :tags, '', :status, :published_at, "
     ":now, :comments_open, 'html')")
/* The slug stays: the article's address does not move under readers. */
STMT(WP_ARTICLE_UPDATE,
     "UPDATE articles SET title = :title, author = :author, body = :body, "
     "body_html = :body_html, tags = :tags, status = :status, published_at = :published_at, "
     "updated_at = :now, comments_open = :comments_open, body_format = 'html', "
     "version = version + 1 WHERE id = :id")
STMT(WP_POST_MAP,
     "INSERT INTO wp_posts (site, wp_id, article_id) VALUES (:site, :wp_id, :id)")
STMT(WP_COMMENT_FIND,
     "SELECT comment_id FROM wp_comments WHERE site = :site AND wp_id = :wp_id")
STMT(WP_COMMENT_INSERT,
     "INSERT INTO comments (article_id, status, author, email, url, body, ip, user_agent, "
     "created_at, status_changed_at) "
     "VALUES (:article, :status, :author, :email, :url, :body, :ip, :user_agent, "
     ":created_at, :created_at)")
STMT(WP_COMMENT_MAP,
     "INSERT INTO wp_comments (site, wp_id, comment_id, wp_parent) "
     "VALUES (:site, :wp_id, :id, :wp_parent)")
/* Threads are joined once every comment is in: a reply may come before
 * its parent in the file. Only replies still without a parent. */
STMT(WP_RESOLVE_PARENTS,
     "UPDATE comments SET parent_id = ("
     "  SELECT p.comment_id FROM wp_comments m JOIN wp_comments p "
     "    ON p.site = m.site AND p.wp_id = m.wp_parent "
     "  WHERE m.comment_id = comments.id AND m.site = :site) "
     "WHERE parent_id IS NULL AND id IN ("
     "  SELECT m.comment_id FROM wp_comments m JOIN wp_comments p "
     "    ON p.site = m.site AND p.wp_id = m.wp_parent "
     "  WHERE m.site = :site AND m.wp_parent <> 0 AND p.comment_id <> m.comment_id)")
STMT(WP_ADDRESS_ADD,
     "INSERT OR IGNORE INTO old_addresses (path, article_id) VALUES (:path, :id)")
STMT(WP_ADDRESS_FIND,
     "SELECT a.slug FROM old_addresses o JOIN articles a ON a.id = o.article_id "
     "WHERE o.path = :path AND a.status = 'published'")
STMT(WP_ARTICLE_COMMENTS,
     "SELECT " COMMENT_COLUMNS "FROM comments c "
     "WHERE c.article_id = :article ORDER BY c.id")
STMT(WP_AUTHORS,
     "SELECT DISTINCT author FROM articles ORDER BY author LIMIT :limit")
/* privacy: the commenter's own rows. The collation matches
 * comments_by_email_any (sql/012, sql/020). */
STMT(PRIVACY_COMMENTS,
     "SELECT " VIEW_COLUMNS "FROM comments c "
     "JOIN articles a ON a.id = c.article_id "
     "WHERE c.email = :email COLLATE NOCASE ORDER BY c.id")
/* Pages that show the commenter's approved comments change. */
STMT(PRIVACY_TOUCH,
     "UPDATE articles SET updated_at = max(updated_at, :now), "
     "version = version + 1 WHERE id IN (SELECT article_id FROM comments "
     "WHERE email = :email COLLATE NOCASE AND status = 'approved')")
STMT(PRIVACY_ERASE,
     "UPDATE comments SET author = 'Anonymous', email = '', url = '', "
     "ip = '', user_agent = '' WHERE email = :email COLLATE NOCASE")
/* The commenter's subscriptions (sql/014) go with their address. */
STMT(PRIVACY_ERASE_SUBSCRIPTIONS,
     "DELETE FROM subscriptions WHERE email = :email COLLATE NOCASE")
/* Walks comments_with_address (sql/012): only rows that still hold one. */
STMT(PRIVACY_BLANK_ADDRESSES,
     "UPDATE comments SET ip = '', user_agent = '' WHERE id IN ("
     "SELECT id FROM comments WHERE created_at < :before "
     "AND (ip <> '' OR user_agent <> '') LIMIT :limit)")
/* An import's one long transaction: temporary data to a file (store.h). */
STMT(WP_TEMP_ON_DISK, "PRAGMA temp_store = FILE")

/* ---- db.c: the connection, migrations' bookkeeping, settings ---- */

/* WAL lets readers go on while a comment is written; synchronous FULL
 * makes every commit durable before the 303 is sent. */
STMT(SETUP_JOURNAL, "PRAGMA journal_mode = WAL")
STMT(SETUP_SYNCHRONOUS, "PRAGMA synchronous = FULL")
/* group commit's connection: its commits are synced by db_sync_log */
STMT(SETUP_SYNC_DEFERRED, "PRAGMA synchronous = NORMAL")
STMT(SETUP_FOREIGN_KEYS, "PRAGMA foreign_keys = ON")
STMT(SETUP_TEMP_STORE, "PRAGMA temp_store = MEMORY")
STMT(SCHEMA_VERSION, "PRAGMA user_version")
STMT(MIGRATIONS_CREATE, "CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY)")
STMT(MIGRATIONS_NONE, "SELECT NOT EXISTS (SELECT 1 FROM schema_migrations)")
STMT(MIGRATION_RECORD, "INSERT OR IGNORE INTO schema_migrations VALUES (:number)")
STMT(MIGRATION_APPLIED, "SELECT 1 FROM schema_migrations WHERE number = :number")
STMT(MIGRATIONS_NEWEST, "SELECT coalesce(max(number), 0) FROM schema_migrations")
STMT(SETTINGS_PING, "SELECT count(*) FROM settings")
STMT(SETTINGS_SECRET, "SELECT value FROM settings WHERE key = 'secret'")
/* INSERT OR IGNORE: when two processes start at once, the first wins
 * and the second reads the winner's secret back. */
STMT(SETTINGS_SECRET_ADD, "INSERT OR IGNORE INTO settings (key, value) VALUES ('secret', :v)")
STMT(INTEGRITY_CHECK, "PRAGMA quick_check(1)")

/* ---- group_commit.c ---- */
STMT(GROUP_SAVEPOINT, "SAVEPOINT group_write")
STMT(GROUP_RELEASE, "RELEASE group_write")
STMT(GROUP_ROLLBACK_TO, "ROLLBACK TO group_write")

/* ---- outbox.c: notifications waiting to leave (sql/014) ---- */
/* The worker's own connection: its commits (claims, outcomes) need not
 * wait for the disk. Losing one to a crash loses nothing: a claim's lease
 * runs out, an outcome lost means the event is delivered again (its id
 * tells the receiver). Consistency stays: WAL with NORMAL is never torn. */
STMT(OUTBOX_RELAXED, "PRAGMA synchronous = NORMAL")
STMT(OUTBOX_ADD,
     "INSERT INTO outbox (event_id, event, channel, comment_id, subscriber_of, created_at, "
     "next_attempt_at) VALUES (:event_id, :event, :channel, :comment, "
     "nullif(:subscriber_of, 0), :now, :now)")
/* The claim is one statement: the row is taken (its lease set) by whoever
 * runs it first, so two processes never deliver the same row at once. A
 * PostgreSQL store writes the inner SELECT with FOR UPDATE SKIP LOCKED. */
STMT(OUTBOX_CLAIM,
     "UPDATE outbox SET claimed_by = :worker, claimed_until = :until, "
     "attempts = attempts + 1 "
     "WHERE id = (SELECT id FROM outbox WHERE state = 'waiting' "
     "AND next_attempt_at <= :now AND claimed_until < :now "
     "ORDER BY next_attempt_at, id LIMIT 1) "
     "RETURNING id, event_id, event, channel, comment_id, coalesce(subscriber_of, 0), "
     "created_at, attempts")
STMT(OUTBOX_DELIVERED,
     "UPDATE outbox SET state = 'delivered', done_at = :now, claimed_until = 0, "
     "last_error = '' WHERE id = :id AND claimed_by = :worker")
STMT(OUTBOX_RETRY,
     "UPDATE outbox SET next_attempt_at = :next, claimed_until = 0, last_error = :error "
     "WHERE id = :id AND claimed_by = :worker")
STMT(OUTBOX_FAILED,
     "UPDATE outbox SET state = 'failed', done_at = :now, claimed_until = 0, "
     "last_error = :error WHERE id = :id AND claimed_by = :worker")
STMT(OUTBOX_NEXT_DUE,
     "SELECT coalesce(min(max(next_attempt_at, claimed_until)), 0) FROM outbox "
     "WHERE state = 'waiting'")
STMT(OUTBOX_PARENT_OF,
     "SELECT coalesce(parent_id, 0) FROM comments WHERE id = :id")
STMT(SUBSCRIPTION_ADD,
     "INSERT OR IGNORE INTO subscriptions (comment_id, email, created_at, link_base) "
     "VALUES (:comment, :email, :now, :link_base)")
STMT(SUBSCRIPTION_GET,
     "SELECT email, created_at, coalesce(confirmed_at, 0), coalesce(ended_at, 0), link_base "
     "FROM subscriptions WHERE comment_id = :comment")
/* A live subscription of another commenter: nobody is mailed about their
 * own reply. */
STMT(SUBSCRIPTION_LIVE,
     "SELECT 1 FROM subscriptions s WHERE s.comment_id = :comment "
     "AND s.confirmed_at IS NOT NULL AND s.ended_at IS NULL "
     "AND s.email <> coalesce((SELECT c.email FROM comments c WHERE c.id = :by), '') "
     "COLLATE NOCASE")
STMT(SUBSCRIPTION_CONFIRM,
     "UPDATE subscriptions SET confirmed_at = :now "
     "WHERE comment_id = :comment AND confirmed_at IS NULL AND ended_at IS NULL")
STMT(SUBSCRIPTION_END,
     "UPDATE subscriptions SET ended_at = :now WHERE comment_id = :comment AND ended_at IS NULL")
/* ---- PostgreSQL's text where it differs (db_pgsql.c) ----
 * INSERT OR IGNORE is ON CONFLICT DO NOTHING; the two-argument max() is
 * greatest(); COLLATE NOCASE is lower() on both sides (sql/pg/001 indexes
 * lower(email)); strftime('%s', 'now') is extract(epoch ...); FTS5 is a
 * tsvector column searched with websearch_to_tsquery (as typed, so it
 * cannot fail to parse) and ranked by ts_rank_cd; json_each is
 * json_array_elements_text; PRAGMAs have no counterpart and are not run. */
#ifdef STMT_PG
/* :words, all but the last word as typed; :prefix, the last as a prefix
 * (articles.c's tsquery_parts); both without diacritics, as the index
 * (sql/pg/018). */
STMT_PG(ARTICLE_SEARCH,
        "SELECT " ARTICLE_COLUMNS "FROM articles a, "
        "(SELECT websearch_to_tsquery('english', folio_unaccent(:words)) && "
        "to_tsquery('english', folio_unaccent(:prefix)) AS q) w "
        "WHERE a.search @@ w.q AND a.status = 'published' "
        "ORDER BY ts_rank_cd(a.search, w.q) DESC, a.id DESC LIMIT :limit")
/* Counted, not kept in site_version (sql/pg/019): an index-only count of
 * articles_sitemap, made when a sitemap is, which the page cache keeps. */
STMT_PG(SITEMAP_COUNT,
        "SELECT count(*) FROM articles WHERE status = 'published'")
STMT_PG(ARTICLE_TAG_ADD,
        "INSERT INTO article_tags (slug, article_id, name) VALUES (:slug, :id, :name) "
        "ON CONFLICT DO NOTHING")
STMT_PG(ARTICLE_TOUCH,
        "UPDATE articles SET updated_at = greatest(updated_at, :now), version = version + 1 "
        "WHERE id = :id")
/* json_array_elements_text for json_each; no unary + on text; the subquery
 * in FROM named. */
STMT_PG(COMMENT_PAGE,
        "WITH RECURSIVE shown(id, thread) AS ("
        "  SELECT id, id FROM comments WHERE article_id = :article AND thread_root = 1 "
        "  AND id >= :from AND id < :to "
        "  UNION ALL "
        "  SELECT c.id, s.thread FROM shown s JOIN comments c "
        "  ON c.parent_id = s.id AND c.status = 'approved'), "
        "walk(own, id, parent_id, root, depth) AS ("
        "  SELECT c.id, c.id, c.parent_id, c.thread_root, 0 FROM comments c "
        "  WHERE c.id IN (SELECT value::bigint FROM json_array_elements_text(:own::json)) "
        "  AND c.article_id = :article AND c.status IN ('pending', 'spam') "
        "  UNION ALL "
        "  SELECT w.own, p.id, p.parent_id, p.thread_root, w.depth + 1 FROM walk w "
        "  JOIN comments p ON p.id = w.parent_id "
        "  WHERE w.root = 0 AND p.status = 'approved' AND w.depth < 10000), "
        "placed(id, thread) AS ("
        "  SELECT own, coalesce(max(CASE WHEN root = 1 THEN id END), own) FROM walk GROUP BY own) "
        "SELECT * FROM ("
        "  SELECT " COMMENT_COLUMNS ", s.thread AS thread FROM shown s "
        "  JOIN comments c ON c.id = s.id "
        "  UNION ALL "
        "  SELECT " COMMENT_COLUMNS ", p.thread FROM placed p JOIN comments c ON c.id = p.id "
        "  WHERE p.thread >= :from AND p.thread < :to) page "
        "ORDER BY thread, created_at, id")
/* The new id comes back with the INSERT (db_pgsql.c's last_id answers it),
 * not from a second round trip to ask lastval(): a comment's statements run
 * one after another in group commit's batch, while its writers wait. */
STMT_PG(COMMENT_INSERT,
        "INSERT INTO comments (article_id, parent_id, status, author, email, url, body, "
        "ip, user_agent, created_at, status_changed_at) "
        "VALUES (:article, nullif(:parent, 0), :status, :author, :email, :url, :body, "
        ":ip, :user_agent, :now, :now) RETURNING id")
/* comments_by_email_any is (lower(email), article_id) (sql/pg/020). */
STMT_PG(COMMENT_DUPLICATE,
        "SELECT 1 FROM comments WHERE lower(email) = lower(:email) AND article_id = :article "
        "AND email = :email AND body = :body LIMIT 1")
STMT_PG(OWN_DUPLICATE,
        "SELECT 1 FROM comments WHERE lower(email) = lower(:email) AND article_id = :article "
        "AND email = :email AND body = :body AND id <> :id LIMIT 1")
STMT_PG(COMMENT_KNOWN,
        "SELECT 1 FROM comments WHERE status = 'approved' "
        "AND lower(email) = lower(:email) AND author = :author LIMIT 1")
STMT_PG(TOKEN_INSERT,
        "INSERT INTO api_tokens (name, token_hash, created_at) "
        "VALUES (:name, :hash, extract(epoch FROM now())::bigint)")
STMT_PG(TOKEN_REVOKE,
        "UPDATE api_tokens SET revoked_at = extract(epoch FROM now())::bigint "
        "WHERE id = :id AND revoked_at IS NULL")
STMT_PG(WP_ADDRESS_ADD,
        "INSERT INTO old_addresses (path, article_id) VALUES (:path, :id) "
        "ON CONFLICT DO NOTHING")
STMT_PG(PRIVACY_COMMENTS,
        "SELECT " VIEW_COLUMNS "FROM comments c "
        "JOIN articles a ON a.id = c.article_id "
        "WHERE lower(c.email) = lower(:email) ORDER BY c.id")
STMT_PG(PRIVACY_TOUCH,
        "UPDATE articles SET updated_at = greatest(updated_at, :now), "
        "version = version + 1 WHERE id IN (SELECT article_id FROM comments "
        "WHERE lower(email) = lower(:email) AND status = 'approved')")
STMT_PG(PRIVACY_ERASE,
        "UPDATE comments SET author = 'Anonymous', email = '', url = '', "
        "ip = '', user_agent = '' WHERE lower(email) = lower(:email)")
STMT_PG(PRIVACY_ERASE_SUBSCRIPTIONS,
        "DELETE FROM subscriptions WHERE lower(email) = lower(:email)")
/* PostgreSQL spills sorts and temporary data to disk by itself (work_mem). */
STMT_PG(WP_TEMP_ON_DISK, "SELECT 1")
/* The worker's connection: commits that need not wait for the disk (the
 * same reasoning as SQLite's NORMAL above). */
STMT_PG(OUTBOX_RELAXED, "SELECT set_config('synchronous_commit', 'off', false)")
/* FOR UPDATE SKIP LOCKED: a row another host's worker is claiming is
 * passed over, not waited for. */
STMT_PG(OUTBOX_CLAIM,
        "UPDATE outbox SET claimed_by = :worker, claimed_until = :until, "
        "attempts = attempts + 1 "
        "WHERE id = (SELECT id FROM outbox WHERE state = 'waiting' "
        "AND next_attempt_at <= :now AND claimed_until < :now "
        "ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) "
        "RETURNING id, event_id, event, channel, comment_id, coalesce(subscriber_of, 0), "
        "created_at, attempts")
STMT_PG(OUTBOX_NEXT_DUE,
        "SELECT coalesce(min(greatest(next_attempt_at, claimed_until)), 0) FROM outbox "
        "WHERE state = 'waiting'")
STMT_PG(SUBSCRIPTION_ADD,
        "INSERT INTO subscriptions (comment_id, email, created_at, link_base) "
        "VALUES (:comment, :email, :now, :link_base) ON CONFLICT DO NOTHING")
STMT_PG(SUBSCRIPTION_LIVE,
        "SELECT 1 FROM subscriptions s WHERE s.comment_id = :comment "
        "AND s.confirmed_at IS NOT NULL AND s.ended_at IS NULL "
        "AND lower(s.email) <> lower(coalesce((SELECT c.email FROM comments c "
        "WHERE c.id = :by), ''))")
STMT_PG(MIGRATION_RECORD,
        "INSERT INTO schema_migrations VALUES (:number) ON CONFLICT DO NOTHING")
STMT_PG(SETTINGS_SECRET_ADD,
        "INSERT INTO settings (key, value) VALUES ('secret', :v) ON CONFLICT DO NOTHING")
#endif
