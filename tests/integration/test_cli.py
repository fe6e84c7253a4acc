"""folio's command line (CONTRACT.md, "Command line" and "Article files")."""

import os
import re
import socket
import shutil
import sqlite3
import subprocess
import tempfile
import textwrap
import unittest

import harness

FIX = harness.fixture_articles()


def folio(*args, **kw):
    return harness.run_folio(list(args), **kw)


class CliCase(unittest.TestCase):
    """self.db: a SQLite file, or with FOLIO_PG a new PostgreSQL database
    (harness.scratch_database), that no command has touched yet."""
    maxDiff = 4000
    on_postgres = harness.on_postgres()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="folio-cli-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self._db = None

    @property
    def db(self):
        """Made when a test first asks for it: on PostgreSQL a database
        costs the cluster a CREATE and a DROP, which tests that never name
        self.db (--help, --version, their own databases) need not pay."""
        if self._db is None:
            self._db = self.new_db("site")
        return self._db

    def new_db(self, name):
        if self.on_postgres:
            return harness.scratch_database(self, self.tmp, name)
        return os.path.join(self.tmp, name + ".db")

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(text).lstrip("\n"))
        return path

    def ok(self, *args, **kw):
        r = folio(*args, **kw)
        self.assertEqual(r.returncode, 0, "folio %s -> %d\nstdout:\n%s\nstderr:\n%s"
                         % (" ".join(args), r.returncode, r.stdout, r.stderr))
        return r

    def fails(self, code, *args, **kw):
        r = folio(*args, **kw)
        self.assertEqual(r.returncode, code, "folio %s -> %d (want %d)\nstdout:\n%s\nstderr:\n%s"
                         % (" ".join(args), r.returncode, code, r.stdout, r.stderr))
        return r

    def init(self):
        return self.ok("init", "--db", self.db)

    def initialized(self):
        """folio init on self.db, for a test of what comes after it (import,
        backup, publish). On PostgreSQL self.db is then a copy of the
        servers' template (harness.pg_server_template), which folio init
        migrated once, so that init here finds every migration applied and
        makes the site's secret: running them all again for each such test
        was most of pg_cli's time. InitTest and the tests of init's options
        and rights still migrate untouched databases from scratch."""
        if self.on_postgres and self._db is None:
            self._db = harness.scratch_database(self, self.tmp, "site",
                                                template=harness.pg_server_template())
        return self.init()

    def listing(self):
        return self.ok("article", "list", "--db", self.db).stdout

    def line_for(self, out, slug):
        lines = [l for l in out.splitlines() if re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(slug), l)]
        self.assertEqual(len(lines), 1, "want one line for %s in:\n%s" % (slug, out))
        return lines[0]

    def created(self, db):
        """Whether a command made folio's schema in db."""
        if harness.is_pg_uri(db):
            return harness.database(db).execute(
                "SELECT to_regclass('public.articles') IS NOT NULL").fetchone()[0]
        return os.path.exists(db)

    def user_version(self, path):
        """The schema's version: SQLite's PRAGMA user_version, PostgreSQL's
        newest row in schema_migrations."""
        if harness.is_pg_uri(path):
            return harness.database(path).execute(
                "SELECT coalesce(max(number), 0) FROM schema_migrations").fetchone()[0]
        con = sqlite3.connect(path)
        try:
            return con.execute("PRAGMA user_version").fetchone()[0]
        finally:
            con.close()

    def schema(self, path):
        if harness.is_pg_uri(path):
            return harness.database(path).execute(
                "SELECT 'column', table_name || '.' || column_name, data_type || ' ' || "
                "coalesce(column_default, '') FROM information_schema.columns "
                "WHERE table_schema = 'public' UNION ALL "
                "SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "UNION ALL SELECT 'trigger', trigger_name || ' ' || event_object_table, "
                "action_statement FROM information_schema.triggers "
                "WHERE trigger_schema = 'public' ORDER BY 1, 2, 3").fetchall()
        con = sqlite3.connect(path)
        try:
            return sorted(con.execute("SELECT type, name, sql FROM sqlite_master"
                                      " WHERE name NOT LIKE 'sqlite_%'").fetchall(),
                          key=lambda r: (r[0], r[1]))
        finally:
            con.close()


class UsageTest(CliCase):
    def test_version(self):
        r = self.ok("--version")
        self.assertRegex(r.stdout, r"\d+\.\d+")

    def test_help(self):
        r = self.ok("--help")
        for cmd in ("init", "serve", "fcgi", "article", "backup"):
            self.assertIn(cmd, r.stdout)

    def test_command_help(self):
        r = self.ok("serve", "--help")
        self.assertIn("--listen", r.stdout)
        r = self.ok("fcgi", "--help")
        self.assertIn("--socket", r.stdout)
        self.ok("init", "--help")
        self.ok("backup", "--help")

    def test_unknown_command(self):
        r = self.fails(2, "frobnicate")
        self.assertIn("frobnicate", r.stderr)
        r = self.fails(2, "article", "frobnicate", "--db", self.db)
        self.assertIn("frobnicate", r.stderr)

    def test_unknown_option(self):
        for args in (["init", "--frobnicate"], ["article", "list", "--frobnicate"],
                     ["serve", "--frobnicate"], ["fcgi", "--frobnicate"],
                     ["backup", os.path.join(self.tmp, "b.db"), "--frobnicate"]):
            with self.subTest(args=args):
                r = self.fails(2, *(args + ["--db", self.db]), timeout=10)
                self.assertIn("--frobnicate", r.stderr)

    def test_option_without_value(self):
        r = self.fails(2, "serve", "--db", self.db, "--listen", timeout=10)
        self.assertIn("--listen", r.stderr)

    def test_bad_option_value(self):
        r = self.fails(2, "serve", "--db", self.db, "--threads", "many", timeout=10)
        self.assertTrue("--threads" in r.stderr or "many" in r.stderr, r.stderr)
        r = self.fails(2, "serve", "--db", self.db, "--moderation", "sometimes", timeout=10)
        self.assertTrue("--moderation" in r.stderr or "sometimes" in r.stderr, r.stderr)

    def test_import_without_files_is_usage_error(self):
        self.initialized()
        self.fails(2, "article", "import", "--db", self.db)


class InitTest(CliCase):
    def test_init_creates_and_is_idempotent(self):
        self.init()
        self.assertTrue(self.created(self.db))
        v = self.user_version(self.db)
        self.assertGreater(v, 0, "init did not record the schema in PRAGMA user_version")
        schema = self.schema(self.db)
        self.assertTrue(schema)
        self.init()
        self.assertEqual(self.user_version(self.db), v)
        self.assertEqual(self.schema(self.db), schema)

    def test_init_keeps_articles(self):
        self.init()
        self.ok("article", "import", "--db", self.db, *harness.fixture_paths())
        before = self.listing()
        self.init()
        self.assertEqual(self.listing(), before)

    def test_db_from_environment_and_default(self):
        env_db = self.new_db("env")
        env = dict(os.environ, FOLIO_DB=env_db)
        self.ok("init", env=env)
        self.assertTrue(self.created(env_db))
        env.pop("FOLIO_DB")
        self.ok("init", env=env, cwd=self.tmp)
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "folio.db")))

    def test_demo(self):
        self.ok("init", "--demo", "--db", self.db)
        out = self.listing()
        published = [l for l in out.splitlines() if re.search(r"\bpublished\b", l)]
        self.assertGreaterEqual(len(published), 2, out)
        self.assertLessEqual(len(published), 3, out)

    def test_demo_again_changes_nothing(self):
        self.ok("init", "--demo", "--db", self.db)
        con = harness.database(self.db)
        before = con.execute("SELECT slug, version, updated_at FROM articles ORDER BY slug").fetchall()
        comments = con.execute("SELECT count(*) FROM comments").fetchone()[0]
        con.close()
        r = self.ok("init", "--demo", "--db", self.db)
        self.assertNotIn("updated", r.stdout)
        self.assertIn("kept", r.stdout)
        con = harness.database(self.db)
        self.assertEqual(con.execute("SELECT slug, version, updated_at FROM articles"
                                     " ORDER BY slug").fetchall(), before)
        self.assertEqual(con.execute("SELECT count(*) FROM comments").fetchone()[0], comments)
        con.close()

    def test_newer_database_is_refused(self):
        db = self.new_db("from-the-future")
        self.ok("init", "--db", db)
        if harness.is_pg_uri(db):
            harness.database(db).execute("INSERT INTO schema_migrations VALUES (999)")
        else:
            con = sqlite3.connect(db)
            con.execute("PRAGMA user_version = 999")
            con.commit()
            con.close()
        shown = "from_the_future" if harness.is_pg_uri(db) else "from-the-future.db"
        port = harness.free_port()
        for args in (["serve", "--listen", "127.0.0.1:%d" % port],
                     ["fcgi", "--socket", os.path.join(self.tmp, "f.sock")],
                     ["init"]):
            with self.subTest(command=args[0]):
                r = self.fails(1, *(args + ["--db", db]), timeout=10)
                self.assertIn(shown, r.stderr)
                self.assertRegex(r.stderr.lower(), r"version|newer|later|schema|upgrade")
                self.assertEqual(self.user_version(db), 999)


@unittest.skipUnless(harness.on_postgres(), "PostgreSQL's extensions and roles")
class InitExtensionRightsTest(CliCase):
    """sql/pg/018 creates the unaccent extension (search without
    diacritics). A role that may not create it (neither the database's
    owner nor holding CREATE on it) gets an error that names the cause and
    the remedy, and nothing is half made; once an administrator has created
    the extension, the same role's folio init goes through."""

    def test_a_role_without_the_right_is_told_what_to_do(self):
        role = "t_" + re.sub(r"\W", "_", os.path.basename(self.tmp)).lower()
        admin = harness.database(harness.pg_cluster())
        admin.execute('CREATE ROLE "%s" LOGIN' % role)
        self.addCleanup(admin.execute, 'DROP ROLE IF EXISTS "%s"' % role)
        db = self.new_db("limited")       # owned by the cluster's superuser
        self.addCleanup(harness.database(db).execute, 'DROP OWNED BY "%s"' % role)
        harness.database(db).execute('GRANT CREATE ON SCHEMA public TO "%s"' % role)
        as_role = re.sub(r"([?&])user=[^&]*", r"\1user=" + role, db)
        self.assertNotEqual(as_role, db)
        r = self.fails(1, "init", "--db", as_role)
        self.assertIn("018_search_unaccent", r.stderr)
        self.assertIn('permission denied to create extension "unaccent"', r.stderr)
        self.assertIn("CREATE EXTENSION unaccent", r.stderr)
        self.assertIn("docs/running.md", r.stderr)
        self.assertFalse(self.created(db), "the migrations before 018 were kept")
        harness.database(db).execute("CREATE EXTENSION unaccent")
        self.ok("init", "--db", as_role)
        self.ok("article", "import", "--db", as_role, *harness.fixture_paths())
        self.assertGreaterEqual(self.user_version(db), 18)


class ImportTest(CliCase):
    def setUp(self):
        super().setUp()
        self.initialized()

    def test_import_fixtures_and_list(self):
        files = harness.fixture_paths()
        r = self.ok("article", "import", "--db", self.db, *files)
        lines = [l for l in r.stdout.splitlines() if l.strip()]
        self.assertEqual(len(lines), len(files), r.stdout)
        for slug in FIX:
            self.assertRegex(self.line_for(r.stdout, slug), r"(?i)created")
        out = self.listing()
        for slug, m in FIX.items():
            line = self.line_for(out, slug)
            self.assertIn(m["title"], line)
            self.assertRegex(line, r"\b%s\b" % m["status"])

    def test_reimport_updates(self):
        path = self.write("story.md", """
            ---
            title: First headline
            slug: changing-story
            status: published
            date: 2026-01-02T03:04:05Z
            ---
            Body.
            """)
        r = self.ok("article", "import", "--db", self.db, path)
        self.assertRegex(self.line_for(r.stdout, "changing-story"), r"(?i)created")
        self.write("story.md", """
            ---
            title: Second headline
            slug: changing-story
            status: published
            date: 2026-01-02T03:04:05Z
            ---
            Body, revised.
            """)
        r = self.ok("article", "import", path, "--db", self.db)  # options anywhere
        self.assertRegex(self.line_for(r.stdout, "changing-story"), r"(?i)updated")
        line = self.line_for(self.listing(), "changing-story")
        self.assertIn("Second headline", line)
        self.assertNotIn("First headline", self.listing())

    def test_defaults(self):
        path = self.write("minimal.md", """
            ---
            title: Harbour Bridge Reopens, After 2 Years!
            ---
            Only a title.
            """)
        r = self.ok("article", "import", "--db", self.db, path)
        slug = "harbour-bridge-reopens-after-2-years"
        self.line_for(r.stdout, slug)
        line = self.line_for(self.listing(), slug)
        self.assertRegex(line, r"\bdraft\b")

    def assertRefused(self, name, text, bad_line, slug):
        path = self.write(name, text)
        r = self.fails(1, "article", "import", "--db", self.db, path)
        self.assertIn(name, r.stderr)
        rest = r.stderr.replace(path, "").replace(name, "")
        self.assertRegex(rest, r"(?<!\d)%d(?!\d)" % bad_line,
                         "stderr does not name line %d: %s" % (bad_line, r.stderr))
        self.assertNotIn(slug, self.listing())
        return r

    def test_unknown_key_refused(self):
        self.assertRefused("unknown-key.md", """
            ---
            title: Colourful story
            slug: unknown-key-story
            colour: blue
            status: published
            ---
            Body.
            """, 4, "unknown-key-story")

    def test_bad_date_refused(self):
        self.assertRefused("bad-date.md", """
            ---
            title: Badly dated story
            slug: bad-date-story
            status: published
            author: Someone
            date: 14/03/2026 8:30
            ---
            Body.
            """, 6, "bad-date-story")

    def test_impossible_date_refused(self):
        self.assertRefused("feb30.md", """
            ---
            title: Impossible date
            slug: impossible-date-story
            date: 2026-02-30T10:00:00Z
            ---
            Body.
            """, 4, "impossible-date-story")

    def test_bad_status_refused(self):
        self.assertRefused("bad-status.md", """
            ---
            title: Undecided story
            slug: bad-status-story
            status: maybe
            ---
            Body.
            """, 4, "bad-status-story")

    def test_missing_title_refused(self):
        path = self.write("no-title.md", """
            ---
            slug: no-title-story
            status: published
            ---
            Body.
            """)
        r = self.fails(1, "article", "import", "--db", self.db, path)
        self.assertIn("no-title.md", r.stderr)
        self.assertNotIn("no-title-story", self.listing())

    def test_missing_file(self):
        missing = os.path.join(self.tmp, "not-there.md")
        r = self.fails(1, "article", "import", "--db", self.db, missing)
        self.assertIn("not-there.md", r.stderr)

    def test_refused_update_keeps_the_old_article(self):
        path = self.write("keep.md", """
            ---
            title: Original headline
            slug: keep-story
            status: published
            ---
            Body.
            """)
        self.ok("article", "import", "--db", self.db, path)
        self.write("keep.md", """
            ---
            title: Broken headline
            slug: keep-story
            status: sometimes
            ---
            Body.
            """)
        self.fails(1, "article", "import", "--db", self.db, path)
        line = self.line_for(self.listing(), "keep-story")
        self.assertIn("Original headline", line)
        self.assertRegex(line, r"\bpublished\b")


class BackupTest(CliCase):
    def find_text(self, path, needle):
        con = sqlite3.connect(path)
        try:
            tables = [r[0] for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")]
            for t in tables:
                try:
                    rows = con.execute('SELECT * FROM "%s"' % t.replace('"', '""')).fetchall()
                except sqlite3.DatabaseError:
                    continue  # virtual tables of modules python's sqlite3 lacks
                for row in rows:
                    if any(isinstance(v, str) and needle in v for v in row):
                        return True
            return False
        finally:
            con.close()

    def check_backup(self, dest, db):
        self.assertTrue(os.path.exists(dest))
        con = sqlite3.connect(dest)
        try:
            self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        finally:
            con.close()
        self.assertEqual(self.user_version(dest), self.user_version(db))
        for m in FIX.values():
            self.assertTrue(self.find_text(dest, m["title"]), "backup lacks %r" % m["title"])

    def refused_on_postgres(self, dest, db):
        """folio backup copies a SQLite file; on PostgreSQL it writes
        nothing and names the tool to use (docs/running.md)."""
        r = self.fails(1, "backup", dest, "--db", db)
        self.assertIn("pg_dump", r.stderr)
        self.assertIn("SQLite", r.stderr)
        self.assertNotIn("password", r.stderr.lower())
        self.assertFalse(os.path.exists(dest))
        return r

    def test_backup(self):
        self.initialized()
        self.ok("article", "import", "--db", self.db, *harness.fixture_paths())
        dest = os.path.join(self.tmp, "copy.db")
        if self.on_postgres:
            self.refused_on_postgres(dest, self.db)
            for slug in FIX:      # and the database is as it was
                self.line_for(self.listing(), slug)
            return
        self.ok("backup", dest, "--db", self.db)
        self.check_backup(dest, self.db)
        # The copy is a working folio database.
        r = self.ok("article", "list", "--db", dest)
        for slug in FIX:
            self.line_for(r.stdout, slug)

    def test_backup_of_live_database(self):
        server = harness.FolioServer(front="http", name="backup")
        server.start()
        try:
            self.assertEqual(server.request("GET", "/healthz").status, 200)
            dest = os.path.join(self.tmp, "live-copy.db")
            if self.on_postgres:
                self.refused_on_postgres(dest, server.db)
            else:
                self.ok("backup", dest, "--db", server.db)
                self.check_backup(dest, server.db)
            self.assertEqual(server.request("GET", "/healthz").status, 200)
        finally:
            server.stop()

    def test_backup_to_unwritable_place(self):
        self.initialized()
        dest = os.path.join(self.tmp, "no", "such", "dir", "copy.db")
        r = self.fails(1, "backup", dest, "--db", self.db)
        self.assertIn("pg_dump" if self.on_postgres else "copy.db", r.stderr)

    def test_backup_without_dest_is_usage_error(self):
        self.initialized()
        self.fails(2, "backup", "--db", self.db)



class ConfigFileTest(CliCase):
    """--config FILE: every long option is a key; the command line wins."""

    def test_keys_apply_wherever_the_option_stands(self):
        conf = self.write("folio.ini", """
            # the sample site, from a file
            [init]
            demo = true
            db = %s
            """ % self.db)
        self.ok("init", "--config", conf)           # first, as `folio init --config F`
        self.assertIn("harbour-bridge-reopens", self.listing())
        other = self.new_db("other")
        self.ok("init", "--config=" + conf, "--db", other)     # the command line wins
        self.assertTrue(self.created(other))

    def test_unknown_key_names_file_and_line(self):
        conf = self.write("bad.ini", """
            db = x.db
            colour = red
            """)
        r = self.fails(2, "init", "--config", conf)
        self.assertIn("%s:2" % conf, r.stderr)
        self.assertIn("colour", r.stderr)

    def test_bad_value_names_the_option(self):
        conf = self.write("bad.ini", "threads = many\n")
        r = self.fails(2, "serve", "--config", conf, "--db", self.db)
        self.assertIn("--threads", r.stderr)

    def test_missing_file_is_named(self):
        r = folio("init", "--config", os.path.join(self.tmp, "nope.ini"), "--db", self.db)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("nope.ini", r.stderr)

    def test_a_long_line_is_read_whole(self):
        # The line's first 4,095 bytes end just before "demo = true": a reader
        # that cuts lines there took the tail for a key of its own.
        head = "site-title = "
        conf = self.write("long.ini", head + "A" * (4095 - len(head)) + "demo = true\n")
        self.ok("init", "--config", conf, "--db", self.db)
        self.assertNotIn("harbour-bridge-reopens", self.listing(),
                         "the tail of a long line was read as a key")

    def test_a_directory_is_refused_by_name(self):
        r = self.fails(2, "init", "--config", self.tmp, "--db", self.db)
        self.assertIn(self.tmp, r.stderr)
        self.assertIn("directory", r.stderr)
        self.assertFalse(self.created(self.db), "the command went on without its config")

class OptionsBeforeCommandTest(CliCase):
    """Options may stand before the command, as git takes them; a near miss
    is named."""

    def test_common_options_before_the_command(self):
        self.ok("--db", self.db, "init", "--demo")
        self.assertIn("harbour-bridge-reopens", self.listing())
        r = self.ok("--db=" + self.db, "article", "list")
        self.line_for(r.stdout, "harbour-bridge-reopens")
        r = self.ok("--www", harness.www_dir(), "--db", self.db, "article", "list")
        self.line_for(r.stdout, "harbour-bridge-reopens")
        conf = self.write("folio.ini", "db = %s\n" % self.db)
        r = self.ok("--config", conf, "article", "list")
        self.line_for(r.stdout, "harbour-bridge-reopens")

    def test_words_after_double_dash_stay_words(self):
        self.initialized()
        path = self.write("-dashed.md", """
            ---
            title: Dashed file name
            ---
            Body.
            """)
        r = self.ok("--db", self.db, "article", "import", "--", path)
        self.line_for(r.stdout, "dashed-file-name")

    def test_an_option_this_command_lacks_is_named(self):
        r = self.fails(2, "--listen", "127.0.0.1:1", "article", "list", "--db", self.db)
        self.assertIn("--listen", r.stderr)
        self.assertNotIn("unknown command", r.stderr)
        self.assertFalse(self.created(self.db))

    def test_missing_command_after_options(self):
        r = self.fails(2, "--db", self.db)
        self.assertIn("missing command", r.stderr)
        self.assertFalse(self.created(self.db))

    def test_did_you_mean(self):
        cases = [
            (["--port", "8081", "serve"], "--port", "--listen"),
            (["serve", "--port", "8081"], "--port", "--listen"),
            (["--dbb", self.db, "article", "list"], "--dbb", "--db"),
            (["article", "list", "--dbb", self.db], "--dbb", "--db"),
            (["serve", "--thread", "4"], "--thread", "--threads"),
            (["serve", "--min-submit", "2"], "--min-submit", "--min-submit-seconds"),
        ]
        for args, said, meant in cases:
            with self.subTest(args=args):
                r = self.fails(2, *args, timeout=10)
                self.assertIn("'%s'" % said, r.stderr)
                self.assertIn("did you mean '%s'?" % meant, r.stderr)
        r = self.fails(2, "--frobnicate", "article", "list", timeout=10)
        self.assertIn("--frobnicate", r.stderr)
        self.assertNotIn("did you mean", r.stderr)
        # Only an option the command takes is suggested.
        r = self.fails(2, "article", "list", "--port", "1", "--db", self.db, timeout=10)
        self.assertNotIn("did you mean", r.stderr)

    def test_config_key_did_you_mean(self):
        conf = self.write("typo.ini", "port = 127.0.0.1:8081\n")
        r = self.fails(2, "serve", "--config", conf, "--db", self.db, timeout=10)
        self.assertIn("%s:1" % conf, r.stderr)
        self.assertIn("did you mean 'listen'?", r.stderr)


def article_text(title, slug, status=None, tags=None, author=None, source=None):
    lines = ["---", "title: " + title, "slug: " + slug]
    for key, value in (("status", status), ("tags", tags), ("author", author), ("source", source)):
        if value is not None:
            lines.append("%s: %s" % (key, value))
    return "\n".join(lines + ["---", "Body.", ""])


class ImportStatusTest(CliCase):
    def setUp(self):
        super().setUp()
        self.initialized()

    def test_each_line_says_the_status(self):
        draft = self.write("draft.md", article_text("A draft", "a-draft"))
        public = self.write("public.md", article_text("In print", "in-print", status="published"))
        r = self.ok("article", "import", "--db", self.db, draft, public)
        self.assertEqual(self.line_for(r.stdout, "a-draft"), "a-draft: created (draft)")
        self.assertEqual(self.line_for(r.stdout, "in-print"), "in-print: created (published)")
        r = self.ok("article", "import", "--db", self.db, draft)
        self.assertEqual(r.stdout.strip(), "a-draft: updated (draft)")


class ArticleRulesTest(CliCase):
    """`folio article import` refuses what the API's PUT refuses (docs/api.md:
    title one line of 1 to 300 characters, author 200, source 300, at most 50
    tags of 1 to 100 characters with a letter or digit)."""

    def setUp(self):
        super().setUp()
        self.initialized()

    def refused(self, field, **fields):
        fields.setdefault("title", "A fine title")
        fields.setdefault("slug", "refused-story")
        path = self.write("refused.md", "")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(article_text(**fields))
        r = self.fails(1, "article", "import", "--db", self.db, path)
        self.assertIn("refused.md", r.stderr)
        self.assertIn(": %s: " % field, r.stderr)
        self.assertNotIn(fields["slug"], self.listing())
        return r

    def accepted(self, **fields):
        fields.setdefault("slug", "accepted-story")
        path = self.write("accepted.md", "")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(article_text(**fields))
        self.ok("article", "import", "--db", self.db, path)
        con = harness.database(self.db)
        try:
            return con.execute("SELECT title, tags FROM articles WHERE slug = ?",
                               (fields["slug"],)).fetchone()
        finally:
            con.close()

    def test_title(self):
        self.refused("title", title="x" * 301)
        self.refused("title", title="Bell\x07 rings")
        self.refused("title", title="Tab\tin the middle")
        self.refused("title", title="Delete\x7f")
        self.assertEqual(self.accepted(title="é" * 300)[0], "é" * 300)

    def test_author_and_source(self):
        self.refused("author", author="a" * 201)
        self.refused("author", author="Esc\x1b[31m")
        self.refused("source", source="s" * 301)
        self.refused("source", source="Nul\x01byte")
        self.accepted(title="Fine", author="a" * 200, source="s" * 300)

    def test_tags(self):
        self.refused("tags", tags=", ".join("t%d" % i for i in range(51)))
        self.refused("tags", tags="city, " + "t" * 101)
        self.refused("tags", tags="city, !!!")
        self.refused("tags", tags="city, bell\x07")
        fifty = ", ".join("t%d" % i for i in range(50))
        self.assertEqual(self.accepted(title="Fifty", tags=fifty)[1], fifty)

    def test_tags_stored_as_the_api_stores_them(self):
        # Trimmed, each once by its slug, empty items dropped: "a, b".
        row = self.accepted(title="Tags", tags=" City ,transport,, city,  North Korea ")
        self.assertEqual(row[1], "City, transport, North Korea")


class PublishTest(CliCase):
    """folio article publish|unpublish|delete SLUG, seen by a reader on both
    fronts."""

    def test_usage(self):
        self.initialized()
        for sub in ("publish", "unpublish", "delete"):
            with self.subTest(sub=sub):
                r = self.fails(2, "article", sub, "--db", self.db)
                self.assertIn("SLUG", r.stderr)
                r = self.fails(2, "article", sub, "one", "two", "--db", self.db)
                self.assertIn("two", r.stderr)
                r = self.fails(1, "article", sub, "no-such-story", "--db", self.db)
                self.assertIn("no-such-story", r.stderr)
                self.assertEqual(r.stdout, "")
                r = self.fails(1, "article", sub, "Not A Slug", "--db", self.db)
                self.assertIn("Not A Slug", r.stderr)

    def test_publish_unpublish_delete(self):
        path = self.write("story.md", article_text("Ferry timetable changes", "ferry-timetable",
                                                   tags="transport"))
        for front in ("http", "fcgi"):
            with self.subTest(front=front):
                server = harness.FolioServer(front=front, fixtures=[], name="publish")
                server.start()
                try:
                    self.check_lifecycle(server, path)
                finally:
                    server.stop()

    def check_lifecycle(self, server, path):
        page = "/articles/ferry-timetable"
        r = self.ok("article", "import", path, "--db", server.db)
        self.assertEqual(r.stdout.strip(), "ferry-timetable: created (draft)")
        self.assertShows(server, page, 404)

        r = self.ok("article", "publish", "ferry-timetable", "--db", server.db)
        self.assertEqual(r.stdout.strip(), "ferry-timetable: published")
        self.assertShows(server, page, 200)
        self.assertShows(server, "/", 200, "Ferry timetable changes")
        self.assertIn("published", self.line_for(
            self.ok("article", "list", "--db", server.db).stdout, "ferry-timetable"))

        r = self.ok("article", "unpublish", "ferry-timetable", "--db", server.db)
        self.assertEqual(r.stdout.strip(), "ferry-timetable: draft")
        self.assertShows(server, page, 404)
        self.assertShows(server, "/", 200, without="Ferry timetable changes")

        self.ok("article", "publish", "ferry-timetable", "--db", server.db)
        self.assertShows(server, page, 200)
        r = self.ok("article", "delete", "ferry-timetable", "--db", server.db)
        self.assertEqual(r.stdout.strip(), "ferry-timetable: deleted")
        self.assertShows(server, page, 404)
        self.assertNotIn("ferry-timetable", self.ok("article", "list", "--db", server.db).stdout)

    def assertShows(self, server, path, status, text=None, without=None):
        """The command ran beside the server: on SQLite its page shows the
        change at once, on PostgreSQL within the contract's second (the
        change reaches the server by NOTIFY; harness.eventually)."""
        def shows():
            r = server.request("GET", path)
            ok = r.status == status and (text is None or text in r.text) \
                and (without is None or without not in r.text)
            return ok
        if not harness.eventually(shows):
            r = server.request("GET", path)
            self.assertEqual(r.status, status, path)
            if text is not None:
                self.assertIn(text, r.text)
            if without is not None:
                self.assertNotIn(without, r.text)

SETUP_SH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts",
                        "setup.sh")


class SetupServeTest(CliCase):
    """scripts/setup.sh serve checks FOLIO_LISTEN before it installs, builds or
    creates anything. (Its database is a file, as setup.sh makes one.)"""
    on_postgres = False

    def setup_serve(self, listen):
        env = dict(os.environ, FOLIO_LISTEN=listen, FOLIO_DB=self.db)
        return subprocess.run(["bash", SETUP_SH, "serve"], env=env, capture_output=True,
                              text=True, timeout=30, stdin=subprocess.DEVNULL)

    def test_busy_port_is_refused_first(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            listen = "127.0.0.1:%d" % s.getsockname()[1]
            r = self.setup_serve(listen)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("%s is already in use" % listen, r.stderr)
        self.assertIn("FOLIO_LISTEN", r.stderr)
        self.assertNotIn("setup: installing", r.stdout + r.stderr)
        self.assertFalse(os.path.exists(self.db), "the database was created")

    def test_malformed_listen_is_refused(self):
        for listen in ("8080", "127.0.0.1:http", "127.0.0.1:70000", ":8080"):
            with self.subTest(listen=listen):
                r = self.setup_serve(listen)
                self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
                self.assertIn("FOLIO_LISTEN=%s" % listen, r.stderr)
                self.assertFalse(os.path.exists(self.db))



DOC_NGINX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                         "nginx.conf")


def doc_static_location():
    """docs/nginx.conf's `location /static/ { ... }` block, as written."""
    with open(DOC_NGINX, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"^(\s*)location /static/ \{\n.*?^\1\}\n", text, re.M | re.S)
    if not m:
        raise AssertionError("docs/nginx.conf has no 'location /static/ {' block")
    return m.group(0)


class DocStaticServer(harness.FolioServer):
    """nginx with docs/nginx.conf's /static/ block (and its root) in place of
    the harness's own."""

    def nginx_conf(self):
        conf = super().nginx_conf()
        ours = re.search(r"        location /static/ \{\n.*?\n        \}\n", conf, re.S)
        block = "        root %s;\n%s" % (self.www.rstrip("/"), doc_static_location())
        return conf[:ours.start()] + block + conf[ours.end():]


class DocNginxStaticTest(unittest.TestCase):
    def test_one_cache_control_on_static_files(self):
        server = DocStaticServer(front="fcgi", fixtures=[], name="static")
        server.start()
        try:
            r = server.request("GET", "/static/folio.css")
            self.assertEqual(r.status, 200)
            self.assertEqual(r.headers.get_all("Cache-Control"), ["max-age=2592000"])
            self.assertIsNotNone(r.headers.get("Expires"))
            self.assertEqual(r.headers.get_all("X-Content-Type-Options"), ["nosniff"])
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()
