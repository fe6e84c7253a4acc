"""Several folio hosts on one PostgreSQL database (issue 14): three servers
on one database, each with its own page cache. What one host changes shows
through the others within a second; sessions and lockouts hold across
hosts; a host killed while comments are posted loses none it acknowledged.
Runs only against PostgreSQL (FOLIO_PG, set by ctest's cluster fixture)."""
import concurrent.futures
import contextlib
import os
import signal
import time
import unittest

import harness
from comments_client import CommentClient, SUMMIT, unique
from test_admin import AdminCase, add_editor

# How long a change may take to reach another host (the promise).
WITHIN = 1.0


@unittest.skipUnless(harness.on_postgres(), "several hosts need a PostgreSQL database")
class MultiHostTest(CommentClient, AdminCase):
    server_args = ["--trusted-proxy", "127.0.0.1", "--min-submit-seconds", "0",
                   "--comment-rate", "0"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()            # host A: makes the database, imports the fixtures
        cls.hosts = [cls.server]
        for name in ("B", "C"):
            host = harness.FolioServer(front=cls.front, fixtures=[], server_args=cls.server_args,
                                       name=cls.__name__ + name, db=cls.server.db)
            cls.addClassCleanup(host.stop)
            host.start()
            cls.hosts.append(host)

    @contextlib.contextmanager
    def on(self, host):
        """Requests in the block go to `host`."""
        self.server = host
        try:
            yield
        finally:
            del self.server             # back to the class's, host A

    def page_shows(self, host, slug, text):
        with self.on(host):
            return text in self.get_ok("/articles/" + slug).text

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
        approved = time.monotonic()
        for host in (a, c):
            while not self.page_shows(host, SUMMIT, f["comment"]):
                self.assertLess(time.monotonic() - approved, WITHIN,
                                "the approval did not reach %s within %ss" % (host.port, WITHIN))
                time.sleep(0.02)

    def test_a_session_made_through_one_host_works_on_the_others(self):
        add_editor(self.server.db, "wanderer")
        with self.on(self.hosts[0]):
            cookie = self.session_cookie(self.login("wanderer"))
        for host in self.hosts[1:]:
            with self.on(host):
                self.assertStatus(self.admin_get("/admin/", cookie), 200)

    def test_five_failed_sign_ins_spread_across_hosts_lock_the_account(self):
        add_editor(self.server.db, "guarded")
        where = "203.0.113.77"
        a, b, c = self.hosts
        for host in (a, b, c, a, b):
            with self.on(host):
                self.assertStatus(self.login("guarded", "wrong password", address=where), 401)
        with self.on(c):
            self.assertStatus(self.login("guarded", address=where), 429)

    def test_every_303_is_kept_when_a_host_is_killed(self):
        victim = harness.FolioServer(front=self.front, fixtures=[], server_args=self.server_args,
                                     name="victim", db=self.server.db)
        self.addCleanup(victim.stop, check=False)
        victim.start()
        marker = unique("killed")

        def post(i):
            try:
                r = self.post(SUMMIT, self.fields(comment="%s %d" % (marker, i)),
                              addr="198.51.100.%d" % (i % 200 + 1))
            except Exception:
                return None             # the connection died with the host
            return self.posted_id(r) if r.status == 303 else None

        with self.on(victim), concurrent.futures.ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(post, i) for i in range(400)]
            time.sleep(1.0)
            os.kill(victim.folio.pid, signal.SIGKILL)
            kept = [i for i in (f.result() for f in futures) if i is not None]
        self.assertGreater(len(kept), 0, "no comment was acknowledged before the kill")
        with self.db() as conn:
            stored = {r[0] for r in conn.execute(
                "SELECT id FROM comments WHERE body LIKE ?", (marker + " %",))}
        self.assertEqual(set(kept) - stored, set(), "acknowledged but not in the database")


if __name__ == "__main__":
    unittest.main()
