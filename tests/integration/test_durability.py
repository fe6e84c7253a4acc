"""Durability of comments (CONTRACT.md, Storage): clients post comments
continuously, the server is killed with SIGKILL mid-stream and restarted on
the same database, and every comment that was answered 303 is there.

And the database taken away from a running server (issue 9, hole 8):
deleted or replaced, it is noticed, every answer is 503, /healthz says why,
and nothing more is acknowledged; `fcgi` then refuses to start without it,
and a 0-byte file is refused; a damaged database fails /healthz.
And on PostgreSQL (FOLIO_PG): the database server restarted under load,
only 200, 303 or 503 answers, every 303 kept, and the service recovers by
itself. Runs on either front (FOLIO_FRONT=http|fcgi)."""

import http.client
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import harness
from comments_client import SUMMIT, CommentClient, unique


class KillNineTest(CommentClient, harness.FolioTestCase):
    server_args = ["--min-submit-seconds", "0", "--comment-rate", "0",
                   "--trusted-proxy", "127.0.0.1"]
    CLIENTS = 8
    ACKED_BEFORE_KILL = 150       # the kill comes once this many were answered 303
    MAX_WAIT = 20.0

    def restart_folio(self):
        """The same folio command on the same database (nginx, for the fcgi
        front, stays up and finds the new socket)."""
        srv = self.server
        harness._reap(srv.folio)
        srv.folio = harness.spawn(srv.folio_cmd, stdout=srv._folio_err,
                                  stderr=subprocess.STDOUT, cwd=srv.tmp)
        srv._wait_ready()

    def hammer(self, marker, token, acked, stop, counts, lock):
        """One client: posts until told to stop; records the texts answered 303."""
        n = threading.get_ident()
        i = 0
        while not stop.is_set():
            text = "%s %x/%d" % (marker, n, i)
            i += 1
            try:
                r = self.post(SUMMIT, self.fields(comment=text), token=token)
            except (OSError, http.client.HTTPException):
                with lock:
                    counts["failed"] += 1
                time.sleep(0.005)
                continue
            with lock:
                counts[r.status] = counts.get(r.status, 0) + 1
                if r.status == 303:
                    acked.append(text)

    def test_every_comment_answered_303_survives_kill_9(self):
        token = self.token_for(SUMMIT)
        marker = unique("durable")
        acked, counts, lock, stop = [], {"failed": 0}, threading.Lock(), threading.Event()
        threads = [threading.Thread(target=self.hammer,
                                    args=(marker, token, acked, stop, counts, lock))
                   for _ in range(self.CLIENTS)]
        for t in threads:
            t.start()
        try:
            deadline = time.monotonic() + self.MAX_WAIT
            while len(acked) < self.ACKED_BEFORE_KILL and time.monotonic() < deadline:
                time.sleep(0.01)
            os.kill(self.server.folio.pid, signal.SIGKILL)
            self.server.folio.wait(10)
            time.sleep(0.3)     # the clients run into the dead server for a moment
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        self.assertEqual(self.server.folio.returncode, -signal.SIGKILL)
        self.assertGreaterEqual(len(acked), self.ACKED_BEFORE_KILL, counts)

        self.restart_folio()
        with self.db() as conn:
            stored = {r[0] for r in conn.execute(
                "SELECT body FROM comments WHERE body LIKE ?", (marker + " %",))}
        missing = [t for t in acked if t not in stored]
        sys.stderr.write("\n[kill -9 %s] %d answered 303 before the kill, %d stored, "
                         "%d lost; answers %s\n" % (self.server.front, len(acked), len(stored),
                                                    len(missing), counts))
        self.assertEqual(missing, [], "comments answered 303 but lost")
        if not harness.on_postgres():
            with self.db() as conn:
                self.assertEqual(conn.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        # And the restarted server takes comments again.
        self.posted_id(self.post(SUMMIT, self.fields()))



def restart_folio(srv):
    """The same folio command on the same database (nginx, for the fcgi
    front, stays up and finds the new socket)."""
    harness._reap(srv.folio)
    srv.folio = harness.spawn(srv.folio_cmd, stdout=srv._folio_err,
                              stderr=subprocess.STDOUT, cwd=srv.tmp)
    srv._wait_ready()


def db_files(db):
    return [db + suffix for suffix in ("", "-wal", "-shm") if os.path.exists(db + suffix)]


@harness.sqlite_only("the database file itself")
class LostDatabaseCase(CommentClient, harness.FolioTestCase):
    server_args = ["--min-submit-seconds", "0", "--comment-rate", "0"]

    def assertAllAnswer503(self, marker, token):
        """Within a second and a half every page is 503, /healthz says why,
        and a comment (its form token taken before the loss) is not
        acknowledged."""
        deadline = time.monotonic() + 1.5
        while True:
            answers = {path: self.get(path).status for path in ("/", "/articles/" + SUMMIT)}
            if set(answers.values()) == {503} or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(set(answers.values()), {503}, answers)
        health = self.get("/healthz")
        self.assertStatus(health, 503)
        r = self.post(SUMMIT, self.fields(comment="%s after the loss" % marker), token=token)
        self.assertNotIn(r.status, (200, 303), "a comment was acknowledged after the loss:\n"
                         + r.describe(300))
        self.assertEqual(r.status, 503, r.describe(300))
        return health

    def assertLoggedLoudlyOnce(self, why):
        with open(self.server.folio_log, encoding="utf-8", errors="replace") as f:
            lines = [l for l in f if "DATABASE LOST" in l]
        self.assertEqual(len(lines), 1, "want one DATABASE LOST line:\n" + "".join(lines))
        self.assertIn(self.server.db, lines[0])
        self.assertIn(why, lines[0])


class DeletedDatabaseTest(LostDatabaseCase):

    def test_a_deleted_database_answers_503_and_fcgi_will_not_start_without_it(self):
        marker = unique("deleted")
        self.posted_id(self.post(SUMMIT, self.fields(comment=marker + " before")))
        self.assertStatus(self.get("/healthz"), 200)
        token = self.token_for(SUMMIT)
        for path in db_files(self.server.db):
            os.unlink(path)
        health = self.assertAllAnswer503(marker, token)
        # a worker that has the database open says why (the http front's
        # threads without one answer a bare 503)
        if "unavailable:" in health.text:
            self.assertIn("deleted", health.text)
        self.assertLoggedLoudlyOnce("deleted")
        self.assertNoLeak(health)

        # Restarted on the missing file: fcgi (production) refuses, naming
        # the file and `folio init`; serve creates a new one, and says so.
        srv = self.server
        srv.folio.send_signal(signal.SIGTERM)
        self.assertEqual(srv.folio.wait(10), 0)
        harness._reap(srv.folio)
        if srv.front == "fcgi":
            r = harness.run_folio(srv.folio_cmd[1:], timeout=20)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn(srv.db, r.stderr)
            self.assertIn("folio init", r.stderr)
            self.assertFalse(os.path.exists(srv.db), "fcgi created a database")
            harness.run_folio(["init"] + srv.www_args(), db=srv.db)
        restart_folio(srv)
        if srv.front == "http":
            with open(srv.folio_log, encoding="utf-8", errors="replace") as f:
                self.assertIn("did not exist: created a new", f.read())
        self.assertStatus(self.get("/healthz"), 200)


class ReplacedDatabaseTest(LostDatabaseCase):

    def test_a_replaced_database_answers_503(self):
        marker = unique("replaced")
        copy = os.path.join(self.server.tmp, "copy.db")
        with self.db() as conn:
            conn.execute("VACUUM INTO ?", (copy,))
        self.assertStatus(self.get("/healthz"), 200)
        token = self.token_for(SUMMIT)
        os.replace(copy, self.server.db)
        health = self.assertAllAnswer503(marker, token)
        if "unavailable:" in health.text:
            self.assertIn("replaced", health.text)
        self.assertLoggedLoudlyOnce("replaced")


@harness.sqlite_only("the database file itself")
class EmptyDatabaseFileTest(unittest.TestCase):
    """A 0-byte file at the database's path is no database: the servers
    refuse it (exit 1, naming it), rather than taking it as a new site."""

    def test_servers_refuse_an_empty_file(self):
        tmp = tempfile.mkdtemp(prefix="folio-it-empty-")
        self.addCleanup(shutil.rmtree, tmp, True)
        db = os.path.join(tmp, "folio.db")
        open(db, "w").close()
        front = harness.front_from_env()
        args = (["serve", "--listen", "127.0.0.1:%d" % harness.free_port()] if front == "http"
                else ["fcgi", "--socket", os.path.join(tmp, "folio.sock")])
        r = harness.run_folio(args, db=db, timeout=10)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn(db, r.stderr)
        self.assertIn("empty file", r.stderr)
        self.assertEqual(os.path.getsize(db), 0)
        # `folio init` makes a new database in it, and says so
        r = harness.run_folio(["init"], db=db)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("empty file", r.stderr)


NOBODY = 65534


@unittest.skipUnless(harness.front_from_env() == "http" and os.geteuid() == 0
                     and shutil.which("setpriv"),
                     "needs root and setpriv to run folio as an unprivileged user (once, "
                     "on the http front)")
@harness.sqlite_only("the database file itself")
class ReadOnlyDatabaseTest(CommentClient, unittest.TestCase):
    """A database folio may only read (its directory and file not writable
    by folio's user, the log files left by an earlier run): pages are
    served, a comment is 503, and the log says what is wrong once, naming
    the file, instead of one failed write after another."""
    server = None
    assertStatus = harness.FolioTestCase.assertStatus

    def request(self, method, path, body=None, headers=None, **kw):
        return self.server.request(method, path, body=body, headers=headers, **kw)

    def get(self, path, headers=None, **kw):
        return self.server.request("GET", path, headers=headers, **kw)

    def start(self, srv):
        cmd = ["setpriv", "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups",
               srv.bin, "serve", "--listen", "%s:%d" % (srv.host, srv.port), "--db", srv.db,
               "--min-submit-seconds", "0", "--comment-rate", "0"] + srv.www_args()
        srv.folio_cmd = cmd
        srv._folio_err = open(srv.folio_log, "ab")
        srv.folio = harness.spawn(cmd, stdout=srv._folio_err, stderr=subprocess.STDOUT,
                                  cwd=srv.tmp)
        srv._wait_ready()

    def test_a_read_only_database_is_said_once(self):
        srv = harness.FolioServer(front="http", name="read-only")
        self.server = srv
        self.addCleanup(srv.stop, False)
        srv.prepare_db()
        srv.port = harness.free_port()
        for path in [srv.tmp] + db_files(srv.db):
            os.chown(path, NOBODY, NOBODY)
        self.start(srv)                     # leaves folio.db-wal and -shm behind
        os.chmod(srv.tmp, 0o555)
        self.addCleanup(os.chmod, srv.tmp, 0o755)
        srv.folio.send_signal(signal.SIGTERM)
        self.assertEqual(srv.folio.wait(10), 0)
        harness._reap(srv.folio)
        srv._folio_err.close()
        os.chmod(srv.db, 0o444)
        self.start(srv)
        self.assertEqual(self.get("/").status, 200)
        for _ in range(2):
            r = self.post(SUMMIT, self.fields())
            self.assertEqual(r.status, 503, r.describe(300))
        with open(srv.folio_log, encoding="utf-8", errors="replace") as f:
            lines = [l for l in f if "is read-only" in l]
        self.assertEqual(len(lines), 1, "want the cause once:\n" + "".join(lines))
        self.assertIn(srv.db, lines[0])


class AnyAnswerServer(harness.FolioServer):
    """Ready once folio answers /healthz at all (the database is damaged);
    nginx's own 502 while folio starts does not count."""

    def _wait_ready(self):
        deadline = time.monotonic() + harness.START_TIMEOUT
        while True:
            try:
                if self.request("GET", "/healthz", timeout=1.0).status not in (502, 504):
                    return
            except (OSError, http.client.HTTPException):
                pass
            if time.monotonic() > deadline or self.folio.poll() is not None:
                raise RuntimeError("folio did not answer\n" + self.logs())
            time.sleep(harness.POLL_INTERVAL)

    def prepare_db(self):
        super().prepare_db()
        # Garbage over the pages of an index: the server starts (it reads
        # its settings), but the file is damaged.
        conn = sqlite3.connect(self.db)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
            root = conn.execute("SELECT max(rootpage) FROM sqlite_master "
                                "WHERE type = 'index' AND tbl_name = 'comments'").fetchone()[0]
        finally:
            conn.close()
        with open(self.db, "r+b") as f:
            f.seek((root - 1) * page_size)
            f.write(b"\xa5" * page_size)


@harness.sqlite_only("the database file itself")
class DamagedDatabaseTest(harness.FolioTestCase):
    server_class = AnyAnswerServer

    def test_healthz_fails_on_damaged_pages(self):
        r = self.get("/healthz")
        self.assertStatus(r, 503)
        self.assertIn("damaged", r.text)
        self.assertNoLeak(r)
        with open(self.server.folio_log, encoding="utf-8", errors="replace") as f:
            self.assertIn("quick_check", f.read())


if __name__ == "__main__":
    unittest.main()


CLUSTER = os.path.join(harness.REPO, "tests", "pg", "cluster.sh")


@unittest.skipUnless(harness.on_postgres(), "restarts a PostgreSQL server")
class DatabaseRestartTest(CommentClient, harness.FolioTestCase):
    """The database server restarted (an upgrade, a failover) while readers
    read and commenters post. It runs a cluster of its own: restarting the
    one the other suites share would fail their requests."""
    server_args = ["--min-submit-seconds", "0", "--comment-rate", "0",
                   "--trusted-proxy", "127.0.0.1"]
    CLIENTS = 6

    @classmethod
    def setUpClass(cls):
        cls.cluster_dir = "/tmp/folio-pg-restart-%d" % os.getpid()
        r = subprocess.run([CLUSTER, "start", cls.cluster_dir], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("cluster.sh start: " + r.stderr)
        cls.addClassCleanup(subprocess.run, [CLUSTER, "stop", cls.cluster_dir])
        harness._pg_query(r.stdout.strip(), "CREATE DATABASE folio")
        db = "postgresql:///folio?host=%s&user=folio" % cls.cluster_dir
        cls.server = harness.FolioServer(front=cls.front, server_args=cls.server_args,
                                         name=cls.__name__, db=db)
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    def client(self, marker, token, acked, stop, statuses, lock):
        i = 0
        while not stop.is_set():
            text = "%s %x/%d" % (marker, threading.get_ident(), i)
            i += 1
            try:
                r = self.post(SUMMIT, self.fields(comment=text), token=token)
                page = self.get("/articles/" + SUMMIT)
            except (OSError, http.client.HTTPException) as e:
                with lock:
                    statuses.append(repr(e))
                continue
            with lock:
                statuses += [r.status, page.status]
                if r.status == 303:
                    acked.append(text)

    def test_restart_under_load_answers_503_and_recovers(self):
        token = self.token_for(SUMMIT)
        marker = unique("restart")
        acked, statuses, lock, stop = [], [], threading.Lock(), threading.Event()
        threads = [threading.Thread(target=self.client,
                                    args=(marker, token, acked, stop, statuses, lock))
                   for _ in range(self.CLIENTS)]
        for t in threads:
            t.start()
        try:
            time.sleep(1.0)
            before = len(acked)
            r = subprocess.run([CLUSTER, "restart", self.cluster_dir], capture_output=True,
                               text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            time.sleep(3.0)     # back: the service must recover by itself
            with lock:
                after_restart = len(acked)
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        counts = {s: statuses.count(s) for s in set(statuses)}
        sys.stderr.write("\n[pg restart %s] answers %s\n" % (self.server.front, counts))
        self.assertTrue(set(statuses) <= {200, 303, 503}, counts)
        self.assertIn(503, statuses, "the restart was not noticed: %s" % counts)
        self.assertGreater(before, 0, counts)
        self.assertGreater(after_restart, before, "no comment stored after the restart")
        with self.db() as conn:
            stored = {r[0] for r in conn.execute(
                "SELECT body FROM comments WHERE body LIKE ?", (marker + " %",))}
        self.assertEqual([t for t in acked if t not in stored], [],
                         "comments answered 303 but lost")
        self.get_ok("/healthz")
