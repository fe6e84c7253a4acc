/* gen: fills a folio database (made by `folio init`) with generated
 * articles, tags and comments for the benchmark's scale scenario, in one
 * transaction with prepared statements.
 *
 * usage: gen DB ARTICLES COMMENTS [PENDING]
 *
 * Articles: 95% published, two of TAGS tags each, about 150 words, dated one
 * hour apart going back from now. Every (ARTICLES/20)th article holds the
 * word "zeppelin" and the tag Zeppelin, so a search for it and its tag page
 * find 20 articles at any size (a common tag and a rare one).
 * Comments: spread evenly over the articles, PENDING of them pending (default
 * a tenth), the rest mostly approved with some spam and trash; every fourth
 * approved one replies to the comment before it. */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TAGS 20
#define WORDS 2000

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)((rng >> 11) % n);
}

static char words[WORDS][16];
static const char *const tag_names[TAGS] = {
    "Politics", "Business", "Transport", "City", "Culture", "Science", "Health", "Sport",
    "Weather", "Education", "Housing", "Environment", "Technology", "Courts", "Arts",
    "Food", "Travel", "Music", "Books", "North Korea",
};
static const char *const tag_slugs[TAGS] = {
    "politics", "business", "transport", "city", "culture", "science", "health", "sport",
    "weather", "education", "housing", "environment", "technology", "courts", "arts",
    "food", "travel", "music", "books", "north-korea",
};

static void make_words(void)
{
    static const char *const syl[] = { "ba", "ro", "ten", "ly", "mar", "ki", "sol", "ve",
                                       "dan", "pe", "tur", "no", "fa", "li", "gor", "shu" };
    for (int i = 0; i < WORDS; i++) {
        int n = 2 + rnd(2);
        words[i][0] = '\0';
        for (int j = 0; j < n; j++)
            strcat(words[i], syl[rnd(16)]);
    }
}

/* `count` words into out (plain text), a blank line every `para` words. */
static size_t text(char *out, int count, int para, const char *extra)
{
    size_t o = 0;
    for (int i = 0; i < count; i++) {
        const char *w = words[rnd(WORDS)];
        if (i == 7 && extra)
            w = extra;
        if (i > 0)
            out[o++] = (para && i % para == 0) ? '\n' : ' ';
        if (para && i > 0 && i % para == 0)
            out[o++] = '\n';
        size_t l = strlen(w);
        memcpy(out + o, w, l);
        if (i == 0 || (para && i % para == 0))
            out[o] = (char)(out[o] - 'a' + 'A');
        o += l;
        if ((i + 1) % 12 == 0 || i + 1 == count)
            out[o++] = '.';
    }
    out[o] = '\0';
    return o;
}

/* The Markdown paragraphs of `md` as HTML. */
static void to_html(const char *md, char *out)
{
    size_t o = 0;
    o += (size_t)sprintf(out + o, "<p>");
    for (const char *p = md; *p; p++) {
        if (p[0] == '\n' && p[1] == '\n') {
            o += (size_t)sprintf(out + o, "</p>\n<p>");
            p++;
        } else {
            out[o++] = *p;
        }
    }
    sprintf(out + o, "</p>\n");
}

static int check(sqlite3 *db, int rc, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "gen: %s: %s\n", what, sqlite3_errmsg(db));
        exit(1);
    }
    return rc;
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    check(db, sqlite3_prepare_v2(db, sql, -1, &st, NULL), sql);
    return st;
}

static void step(sqlite3 *db, sqlite3_stmt *st, const char *what)
{
    check(db, sqlite3_step(st), what);
    sqlite3_reset(st);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: gen DB ARTICLES COMMENTS [PENDING]\n");
        return 2;
    }
    long n_articles = atol(argv[2]), n_comments = atol(argv[3]);
    long n_pending = argc > 4 ? atol(argv[4]) : n_comments / 10;
    sqlite3 *db;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "gen: %s: %s\n", argv[1], sqlite3_errmsg(db));
        return 1;
    }
    make_words();
    check(db, sqlite3_exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
                               "PRAGMA cache_size = -400000; PRAGMA foreign_keys = OFF;"
                               "BEGIN",
                           NULL, NULL, NULL), "setup");
    sqlite3_stmt *ins_a = prep(db,
        "INSERT INTO articles (slug, title, author, body, body_html, tags, source, status, "
        "published_at, updated_at, comments_open) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, 1)");
    sqlite3_stmt *ins_t = prep(db,
        "INSERT OR IGNORE INTO article_tags (slug, article_id, name) VALUES (?1, ?2, ?3)");
    sqlite3_stmt *ins_c = prep(db,
        "INSERT INTO comments (article_id, parent_id, status, author, email, url, body, ip, "
        "user_agent, created_at, status_changed_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, '', ?6, ?7, 'bench', ?8, ?8)");
    sqlite3_stmt *max_id = prep(db, "SELECT coalesce(max(id), 0) FROM articles");
    check(db, sqlite3_step(max_id), "max id");
    int64_t first_id = sqlite3_column_int64(max_id, 0) + 1;
    sqlite3_finalize(max_id);
    /* The full-text index is built once at the end (much faster than row by
     * row through the insert trigger): keep the trigger's SQL, drop it. */
    sqlite3_stmt *trig = prep(db, "SELECT sql FROM sqlite_master "
                                  "WHERE type = 'trigger' AND name = 'articles_fts_insert'");
    char *trigger_sql = NULL;
    if (check(db, sqlite3_step(trig), "reading the trigger") == SQLITE_ROW)
        trigger_sql = strdup((const char *)sqlite3_column_text(trig, 0));
    sqlite3_finalize(trig);
    if (trigger_sql)
        check(db, sqlite3_exec(db, "DROP TRIGGER articles_fts_insert", NULL, NULL, NULL),
              "dropping the trigger");

    int64_t now = (int64_t)time(NULL) - 86400;
    long rare_every = n_articles >= 20 ? n_articles / 20 : 1;
    static char body[8192], html[9000], title[256], slug[64], tags[128];
    int64_t *published = malloc((size_t)(n_articles + 1) * sizeof *published);
    for (long i = 0; i < n_articles; i++) {
        int64_t id = first_id + i;
        int64_t at = now - (int64_t)i * 3600 - rnd(600);
        published[i] = at;
        snprintf(slug, sizeof slug, "gen-%ld", i);
        text(title, 7, 0, NULL);
        text(body, 150, 50, i % rare_every == 0 ? "zeppelin" : NULL);
        to_html(body, html);
        int t1 = rnd(TAGS), t2 = (t1 + 1 + rnd(TAGS - 1)) % TAGS;
        snprintf(tags, sizeof tags, "%s, %s", tag_names[t1], tag_names[t2]);
        sqlite3_bind_text(ins_a, 1, slug, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_a, 2, title, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_a, 3, "A. Reporter", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_a, 4, body, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_a, 5, html, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_a, 6, tags, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_a, 7, "City Desk", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_a, 8, rnd(20) == 0 ? "draft" : "published", -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins_a, 9, at);
        step(db, ins_a, "inserting an article");
        bool rare = i % rare_every == 0;
        if (rare)
            strcat(tags, ", Zeppelin");
        int ts[2] = { t1, t2 };
        for (int k = 0; k < 3; k++) {
            if (k == 2 && !rare)
                break;
            sqlite3_bind_text(ins_t, 1, k < 2 ? tag_slugs[ts[k]] : "zeppelin", -1, SQLITE_STATIC);
            sqlite3_bind_int64(ins_t, 2, id);
            sqlite3_bind_text(ins_t, 3, k < 2 ? tag_names[ts[k]] : "Zeppelin", -1, SQLITE_STATIC);
            step(db, ins_t, "inserting a tag");
        }
    }
    /* Comments, article by article; pending ones spread evenly. Their
     * indexes are dropped and made again afterwards: sorting once is
     * faster than a million random inserts into five b-trees. */
    char *index_sql[16];
    int index_count = 0;
    sqlite3_stmt *idx = prep(db, "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                 "AND tbl_name = 'comments' AND sql IS NOT NULL");
    char drop[256];
    while (index_count < 16 && check(db, sqlite3_step(idx), "reading indexes") == SQLITE_ROW) {
        index_sql[index_count++] = strdup((const char *)sqlite3_column_text(idx, 1));
        snprintf(drop, sizeof drop, "DROP INDEX \"%s\"", (const char *)sqlite3_column_text(idx, 0));
        sqlite3_reset(idx);
        check(db, sqlite3_exec(db, drop, NULL, NULL, NULL), "dropping an index");
    }
    sqlite3_finalize(idx);
    /* Comments, article by article; pending ones spread evenly. */
    long pending_every = n_pending > 0 ? n_comments / n_pending : 0;
    int64_t prev_id = 0, prev_article = 0;
    sqlite3_stmt *last = prep(db, "SELECT coalesce(max(id), 0) FROM comments");
    check(db, sqlite3_step(last), "max comment id");
    int64_t next_comment = sqlite3_column_int64(last, 0) + 1;
    sqlite3_finalize(last);
    char author[64], email[64], ip[32];
    for (long j = 0; j < n_comments; j++) {
        long ai = n_articles ? (long)((int64_t)j * n_articles / n_comments) : 0;
        int64_t article = first_id + ai;
        const char *status = "approved";
        if (pending_every && j % pending_every == 0 && j / pending_every < n_pending)
            status = "pending";
        else if (rnd(100) < 4)
            status = "spam";
        else if (rnd(100) < 1)
            status = "trash";
        int64_t parent = 0;
        if (article == prev_article && prev_id && rnd(4) == 0 && status[0] == 'a')
            parent = prev_id;
        long who = rnd(50000);
        snprintf(author, sizeof author, "Reader %ld", who);
        snprintf(email, sizeof email, "reader%ld@example.org", who);
        snprintf(ip, sizeof ip, "10.%u.%u.%u", rnd(256), rnd(256), 1 + rnd(254));
        text(body, 20 + (int)rnd(40), 0, NULL);
        sqlite3_bind_int64(ins_c, 1, article);
        if (parent)
            sqlite3_bind_int64(ins_c, 2, parent);
        else
            sqlite3_bind_null(ins_c, 2);
        sqlite3_bind_text(ins_c, 3, status, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_c, 4, author, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_c, 5, email, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_c, 6, body, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_c, 7, ip, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins_c, 8, published[ai] + 60 + (int64_t)(j % 97) * 60);
        step(db, ins_c, "inserting a comment");
        if (status[0] == 'a') {
            prev_id = next_comment;
            prev_article = article;
        }
        next_comment++;
    }
    for (int i = 0; i < index_count; i++) {
        check(db, sqlite3_exec(db, index_sql[i], NULL, NULL, NULL), "making an index");
        free(index_sql[i]);
    }
    if (trigger_sql) {
        check(db, sqlite3_exec(db, trigger_sql, NULL, NULL, NULL), "restoring the trigger");
        check(db, sqlite3_exec(db, "INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')",
                               NULL, NULL, NULL), "building the full-text index");
        free(trigger_sql);
    }
    sqlite3_finalize(ins_a);
    sqlite3_finalize(ins_t);
    sqlite3_finalize(ins_c);
    check(db, sqlite3_exec(db, "COMMIT; PRAGMA journal_mode = WAL;", NULL, NULL, NULL),
          "commit");
    sqlite3_close(db);
    free(published);
    printf("gen: %ld articles, %ld comments (%ld pending)\n", n_articles, n_comments, n_pending);
    return 0;
}
