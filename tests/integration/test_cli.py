"""folio's command line (CONTRACT.md, "Command line" and "Article files")."""

import os
import re
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
    maxDiff = 4000

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="folio-cli-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.db = os.path.join(self.tmp, "site.db")

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

    def listing(self):
        return self.ok("article", "list", "--db", self.db).stdout

    def line_for(self, out, slug):
        lines = [l for l in out.splitlines() if re.search(r"(?<![\w-])%s(?![\w-])" % re.escape(slug), l)]
        self.assertEqual(len(lines), 1, "want one line for %s in:\n%s" % (slug, out))
        return lines[0]

    def user_version(self, path):
        con = sqlite3.connect(path)
        try:
            return con.execute("PRAGMA user_version").fetchone()[0]
        finally:
            con.close()

    def schema(self, path):
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
        self.init()
        self.fails(2, "article", "import", "--db", self.db)


class InitTest(CliCase):
    def test_init_creates_and_is_idempotent(self):
        self.init()
        self.assertTrue(os.path.exists(self.db))
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
        env = dict(os.environ, FOLIO_DB=os.path.join(self.tmp, "env.db"))
        self.ok("init", env=env)
        self.assertTrue(os.path.exists(os.path.join(self.tmp, "env.db")))
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
        con = sqlite3.connect(self.db)
        before = con.execute("SELECT slug, version, updated_at FROM articles ORDER BY slug").fetchall()
        comments = con.execute("SELECT count(*) FROM comments").fetchone()[0]
        con.close()
        r = self.ok("init", "--demo", "--db", self.db)
        self.assertNotIn("updated", r.stdout)
        self.assertIn("kept", r.stdout)
        con = sqlite3.connect(self.db)
        self.assertEqual(con.execute("SELECT slug, version, updated_at FROM articles"
                                     " ORDER BY slug").fetchall(), before)
        self.assertEqual(con.execute("SELECT count(*) FROM comments").fetchone()[0], comments)
        con.close()

    def test_newer_database_is_refused(self):
        db = os.path.join(self.tmp, "from-the-future.db")
        self.ok("init", "--db", db)
        con = sqlite3.connect(db)
        con.execute("PRAGMA user_version = 999")
        con.commit()
        con.close()
        port = harness.free_port()
        for args in (["serve", "--listen", "127.0.0.1:%d" % port],
                     ["fcgi", "--socket", os.path.join(self.tmp, "f.sock")],
                     ["init"]):
            with self.subTest(command=args[0]):
                r = self.fails(1, *(args + ["--db", db]), timeout=10)
                self.assertIn("from-the-future.db", r.stderr)
                self.assertRegex(r.stderr.lower(), r"version|newer|later|schema|upgrade")
                self.assertEqual(self.user_version(db), 999)


class ImportTest(CliCase):
    def setUp(self):
        super().setUp()
        self.init()

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

    def test_backup(self):
        self.init()
        self.ok("article", "import", "--db", self.db, *harness.fixture_paths())
        dest = os.path.join(self.tmp, "copy.db")
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
            self.ok("backup", dest, "--db", server.db)
            self.check_backup(dest, server.db)
            self.assertEqual(server.request("GET", "/healthz").status, 200)
        finally:
            server.stop()

    def test_backup_to_unwritable_place(self):
        self.init()
        dest = os.path.join(self.tmp, "no", "such", "dir", "copy.db")
        r = self.fails(1, "backup", dest, "--db", self.db)
        self.assertIn("copy.db", r.stderr)

    def test_backup_without_dest_is_usage_error(self):
        self.init()
        self.fails(2, "backup", "--db", self.db)


if __name__ == "__main__":
    unittest.main()


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
        other = os.path.join(self.tmp, "other.db")
        self.ok("init", "--config=" + conf, "--db", other)     # the command line wins
        self.assertTrue(os.path.exists(other))

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
        self.assertFalse(os.path.exists(self.db), "the command went on without its config")
