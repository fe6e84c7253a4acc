"""Several folio hosts on one PostgreSQL database (issue 14): three servers
on one database, each with its own page cache, behind one nginx upstream
as docs/running.md sets it up (harness.FolioUpstream: their FastCGI
sockets with fastcgi_pass on the fcgi front, their `folio serve` with
proxy_pass on the http front). What one host changes shows through the
others within a second, and through itself at once; sessions and lockouts
hold across hosts; a host killed while comments are posted loses none it
acknowledged, and nginx passes over it: a request that never reached it
goes to another host, a POST it held is not sent again. Requests pinned to
one host go to it directly. Runs only against PostgreSQL (FOLIO_PG, set by
ctest's cluster fixture)."""
import collections
import concurrent.futures
import contextlib
import os
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import harness
from comments_client import SUMMIT, ZEPPELIN, CommentClient, unique
from test_admin import AdminCase, add_editor

# How long a change may take to reach another host (the promise).
WITHIN = harness.CHANGE_WITHIN


def pending_requests(host):
    """Requests sent to host that it has not read: connections waiting in
    its listening socket's accept queue (ss: a listening socket's Recv-Q),
    and for fcgi also its connections that nginx kept open with a request
    unread in them (an established socket of host's process, Recv-Q > 0)."""
    if host.front != "fcgi":
        return pending_connections(host)
    out = subprocess.run(["ss", "-xnpH"], capture_output=True, text=True).stdout
    mine = "pid=%d," % host.folio.pid
    kept = sum(1 for line in out.splitlines()
               if line.split()[1] == "ESTAB" and mine in line and int(line.split()[2]) > 0)
    return pending_connections(host) + kept


def pending_connections(host):
    """Connections waiting in the accept queue of host's listening socket
    (ss: Recv-Q of a listening socket)."""
    if host.front == "fcgi":
        out = subprocess.run(["ss", "-xlnH"], capture_output=True, text=True).stdout
        want = host.socket_path
    else:
        out = subprocess.run(["ss", "-tlnH"], capture_output=True, text=True).stdout
        want = "%s:%d" % (host.host, host.port)
    for line in out.splitlines():
        fields = line.split()
        if want in fields:
            # unix: Netid State Recv-Q ...; tcp (-t): State Recv-Q ...
            return int(fields[2] if host.front == "fcgi" else fields[1])
    raise AssertionError("no listening socket %s in:\n%s" % (want, out))


@unittest.skipUnless(harness.on_postgres(), "several hosts need a PostgreSQL database")
class MultiHostTest(CommentClient, AdminCase):
    server_args = ["--trusted-proxy", "127.0.0.1", "--min-submit-seconds", "0",
                   "--comment-rate", "0"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()            # host A: makes the database, imports the fixtures
        cls.hosts = [cls.server]
        for name in ("B", "C"):
            cls.hosts.append(cls.another_host(name))
        cls.upstream = harness.FolioUpstream(cls.hosts, name=cls.__name__ + "Up")
        cls.addClassCleanup(cls.upstream.stop)
        cls.upstream.start()

    @classmethod
    def another_host(cls, name, cleanup=None):
        host = harness.FolioServer(front=cls.front, fixtures=[], server_args=cls.server_args,
                                   name=cls.__name__ + name, db=cls.server.db)
        (cleanup or cls.addClassCleanup)(host.stop)
        host.start()
        return host

    @contextlib.contextmanager
    def on(self, host):
        """Requests in the block go to `host` (a FolioServer: pinned to that
        host; a FolioUpstream: through nginx)."""
        before = self.__dict__.get("server")
        self.server = host
        try:
            yield
        finally:
            if before is None:
                del self.server         # back to the class's, host A
            else:
                self.server = before

    def page_shows(self, host, slug, text):
        with self.on(host):
            return text in self.get_ok("/articles/" + slug).text

    def log_since(self, upstream, mark, count):
        """The access log's entries after `mark`, once there are `count` of
        them (nginx writes a request's line after its answer, so the client
        may be back before the line is; waits up to 2 s, then returns what
        there is for the caller's assertion to show)."""
        deadline = time.monotonic() + 2.0
        while True:
            entries = upstream.access_log()[mark:]
            if len(entries) >= count or time.monotonic() >= deadline:
                return entries
            time.sleep(0.02)

    def hosts_reached(self, entries):
        """Which hosts answered these requests (the last one nginx tried)."""
        return {e["hosts"][-1] for e in entries if e["hosts"]}

    def test_an_approval_through_one_host_shows_on_the_others_within_a_second(self):
        a, b, c = self.hosts
        with self.on(a):
            f = self.fields(comment=unique("Seen everywhere"))
            cid = self.posted_id(self.post(SUMMIT, f))
        # every host has the page without it in its cache
        for host in self.hosts:
            for _ in range(2):
                self.assertFalse(self.page_shows(host, SUMMIT, f["comment"]))
        add_editor(self.server.db, "approver")
        with self.on(b):
            cookie = self.session_cookie(self.login("approver"))
            self.assertStatus(self.act(cookie, self.csrf_of(cookie), "approve", [cid]), 303)
            # the host that made the change shows it at once
            self.assertTrue(self.page_shows(b, SUMMIT, f["comment"]),
                            "the approving host's own page is stale")
        approved = time.monotonic()
        for host in (a, c):
            while not self.page_shows(host, SUMMIT, f["comment"]):
                self.assertLess(time.monotonic() - approved, WITHIN,
                                "the approval did not reach %s within %ss" % (host.port, WITHIN))
                time.sleep(0.02)
        # and whichever host nginx picks, the page has it
        mark = len(self.upstream.access_log())
        for _ in range(6):
            self.assertTrue(self.page_shows(self.upstream, SUMMIT, f["comment"]))
        self.assertEqual(self.hosts_reached(self.log_since(self.upstream, mark, 6)),
                         {self.upstream.host_name(h) for h in self.hosts})

    def test_the_host_that_approves_shows_it_at_once_every_time(self):
        """The approving host moves its own change generation on when its
        commit returns, before it answers: a page asked for right after the
        303, from the same host, never comes from its cache as it was
        (the other hosts hear of it by NOTIFY, within a second)."""
        b = self.hosts[1]
        add_editor(self.server.db, "quick")
        with self.on(b):
            cookie = self.session_cookie(self.login("quick"))
            csrf = self.csrf_of(cookie)
            for n in range(20):
                cid = self.posted_id(self.post(ZEPPELIN, self.fields(
                    comment=unique("At once %d" % n))), ZEPPELIN)
                before = self.article_page(ZEPPELIN)
                self.assertStatus(before, 200)
                self.assertIsNone(self.comment_element(before.html(), cid))
                self.assertStatus(self.act(cookie, csrf, "approve", [cid]), 303)
                after = self.article_page(ZEPPELIN)
                self.assertNotEqual(after.header("ETag"), before.header("ETag"),
                                    "approval %d: the ETag did not change" % n)
                self.assertIsNotNone(self.comment_element(after.html(), cid),
                                     "approval %d: the page is stale" % n)

    def test_a_session_made_through_one_host_works_on_the_others(self):
        add_editor(self.server.db, "wanderer")
        with self.on(self.hosts[0]):
            cookie = self.session_cookie(self.login("wanderer"))
        for host in self.hosts[1:]:
            with self.on(host):
                self.assertStatus(self.admin_get("/admin/", cookie), 200)
        # signed in through nginx (the form from one host, the post to the
        # next), the session works whichever host each request reaches
        mark = len(self.upstream.access_log())
        with self.on(self.upstream):
            cookie = self.session_cookie(self.login("wanderer"))
            for _ in range(6):
                self.assertStatus(self.admin_get("/admin/", cookie), 200)
        self.assertEqual(len(self.hosts_reached(self.log_since(self.upstream, mark, 8))), 3)

    def test_five_failed_sign_ins_spread_across_hosts_lock_the_account(self):
        add_editor(self.server.db, "guarded")
        where = "203.0.113.77"
        mark = len(self.upstream.access_log())
        with self.on(self.upstream):
            for _ in range(5):
                self.assertStatus(self.login("guarded", "wrong password", address=where), 401)
        posts = [e for e in self.log_since(self.upstream, mark, 10) if e["method"] == "POST"]
        self.assertEqual(len(posts), 5)
        self.assertEqual(len(self.hosts_reached(posts)), 3, "the failures were not spread")
        for host in self.hosts + [self.upstream]:
            with self.on(host):
                self.assertStatus(self.login("guarded", address=where), 429)

    def test_every_303_is_kept_when_a_host_is_killed(self):
        a, b = self.hosts[:2]
        victim = self.another_host("Victim", cleanup=lambda stop: self.addCleanup(stop, False))
        upstream = harness.FolioUpstream([a, b, victim], name="killed")
        self.addCleanup(upstream.stop)
        upstream.start()
        marker = unique("killed")
        answers = collections.Counter()
        lock = threading.Lock()

        def post(i):
            try:
                r = self.post(SUMMIT, self.fields(comment="%s %d" % (marker, i)),
                              addr="198.51.100.%d" % (i % 200 + 1))
            except Exception:
                r = None
            with lock:
                answers[r.status if r else "no answer"] += 1
            return self.posted_id(r) if r is not None and r.status == 303 else None

        with self.on(upstream), concurrent.futures.ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(post, i) for i in range(300)]
            time.sleep(1.0)
            os.kill(victim.folio.pid, signal.SIGKILL)
            kept = [i for i in (f.result() for f in futures) if i is not None]
        self.assertGreater(len(kept), 0, "no comment was acknowledged")
        # nginx answers 502 for a POST the killed host held (it is not sent
        # again); never anything else
        self.assertLessEqual(set(answers), {303, 502}, answers)
        with self.db() as conn:
            stored = {r[0] for r in conn.execute(
                "SELECT id FROM comments WHERE body LIKE ?", (marker + " %",))}
        self.assertEqual(set(kept) - stored, set(), "acknowledged but not in the database")
        # the killed host is passed over: skipped while nginx holds it
        # failed, and when tried again, refusing the connection, the request
        # goes on to the next (test_a_request_held_... shows that one)
        dead = upstream.host_name(victim)
        mark = len(upstream.access_log())
        with self.on(upstream):
            for _ in range(12):
                self.assertStatus(self.get("/articles/" + SUMMIT), 200)
            for i in range(6):
                self.posted_id(self.post(SUMMIT, self.fields(comment=unique("after %d" % i))))
        self.assertNotIn(dead, self.hosts_reached(self.log_since(upstream, mark, 24)))

    def test_a_request_held_by_a_host_that_dies_is_passed_on_only_when_safe(self):
        """A host stopped with a GET and a POST in its queue, then killed:
        nginx sends the GET to the next host (reading is safe to repeat) and
        answers the POST 502 (the host may have done it: nginx does not
        send a POST again once sent). The comment is stored nowhere, and
        not twice. A POST whose connection the dead host refuses is passed
        on."""
        a = self.hosts[0]
        victim = self.another_host("Held", cleanup=lambda stop: self.addCleanup(stop, False))
        upstream = harness.FolioUpstream([victim], name="held")
        upstream.backup = [a]
        self.addCleanup(upstream.stop)
        upstream.start()
        held = unique("held")
        with self.on(a):
            token = self.token_for(SUMMIT)     # the form as a reader had it
        os.kill(victim.folio.pid, signal.SIGSTOP)
        with self.on(upstream), concurrent.futures.ThreadPoolExecutor(2) as pool:
            got = pool.submit(self.get, "/articles/" + SUMMIT)
            posted = pool.submit(self.post, SUMMIT, self.fields(comment=held), token)
            deadline = time.monotonic() + 10
            while pending_requests(victim) < 2:
                self.assertLess(time.monotonic(), deadline, "nginx did not pass both on")
                time.sleep(0.02)
            time.sleep(0.2)     # nginx writes each request right after connecting
            os.kill(victim.folio.pid, signal.SIGKILL)
            got, posted = got.result(), posted.result()
        self.assertStatus(got, 200)
        self.assertStatus(posted, 502)
        self.assertEqual(self.rows_with_body(held), [])
        log = {e["method"]: e for e in self.log_since(upstream, 0, 2)}
        dead, alive = upstream.host_name(victim), upstream.host_name(a)
        self.assertEqual(log["GET"]["hosts"], [dead, alive])
        self.assertEqual(log["POST"]["hosts"], [dead])
        # A POST the dead host never received (its connection refused) is
        # safe to pass on: once nginx tries it again (fail_timeout: after
        # 1 to 2 s), the comment goes to the next host, and is stored once.
        time.sleep(2.1)
        again = unique("refused")
        mark = len(upstream.access_log())
        with self.on(upstream):
            self.posted_id(self.post(SUMMIT, self.fields(comment=again), token))
        entries = self.log_since(upstream, mark, 1)
        self.assertEqual(len(entries), 1, "nginx logged no request")
        self.assertEqual(entries[0]["hosts"], [dead, alive])
        self.assertEqual(len(self.rows_with_body(again)), 1)


if __name__ == "__main__":
    unittest.main()


@unittest.skipUnless(harness.on_postgres(), "counts a PostgreSQL server's connections")
class ConnectionsTest(CommentClient, harness.FolioTestCase):
    """A worker thread connects to PostgreSQL on its first use of the
    database, not at start (docs/running.md, *Several hosts on one
    PostgreSQL*): a host that has served a few requests holds about as many
    connections, not one per thread, and the first page and the first
    comment after start are answered as any later one (no wait for a
    reconnect's second). A host whose database cannot be reached at start
    exits 1 and names it (CONTRACT.md: exit status)."""
    THREADS = 32        # serve: 32 threads for readers, and its 16 writers
    server_args = ["--threads", str(THREADS), "--trusted-proxy", "127.0.0.1",
                   "--min-submit-seconds", "0", "--comment-rate", "0"]
    # At start: a few /healthz polls (one worker each at most); then this
    # test's three requests; the listening connection; the notifier's.
    MOST = 12

    def connections(self):
        """The server's connections to its database (not this test's own)."""
        with harness.database(self.server) as conn:
            return conn.execute(
                "SELECT count(*) AS n FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()").fetchone()[0]

    def test_a_host_connects_per_worker_on_first_use(self):
        page = self.get("/articles/" + SUMMIT)          # the first page after start
        self.assertStatus(page, 200, "the first page after start")
        body = unique("First after start")
        r = self.post(SUMMIT, self.fields(comment=body))    # the first comment
        self.posted_id(r, SUMMIT)
        self.assertEqual(len(self.rows_with_body(body)), 1)
        n = self.connections()
        self.assertGreaterEqual(n, 1, "the server holds no connection to its database")
        self.assertLessEqual(n, self.MOST, "%d connections after three requests, with %d "
                             "threads: each worker connected at start" % (n, self.THREADS))

    def test_a_database_unreachable_at_start_stops_the_server(self):
        nowhere = tempfile.mkdtemp(prefix="folio-no-pg-")
        self.addCleanup(os.rmdir, nowhere)
        db = "postgresql:///folio?host=%s&user=folio" % nowhere     # no server there
        www = self.server.www_args()
        for command in (["serve", "--listen", "127.0.0.1:%d" % harness.free_port()],
                        ["fcgi", "--socket", os.path.join(nowhere, "folio.sock")]):
            r = harness.run_folio(command + www, db=db, timeout=20)
            self.assertEqual(r.returncode, 1, "folio %s: %s" % (command[0], r.stderr))
            self.assertIn("database %s" % db, r.stderr, "folio %s" % command[0])
