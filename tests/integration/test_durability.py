"""Durability of comments (CONTRACT.md, Storage): clients post comments
continuously, the server is killed with SIGKILL mid-stream and restarted on
the same database, and every comment that was answered 303 is there.
Runs on either front (FOLIO_FRONT=http|fcgi)."""

import http.client
import os
import signal
import subprocess
import sys
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
        with self.db() as conn:
            self.assertEqual(conn.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        # And the restarted server takes comments again.
        self.posted_id(self.post(SUMMIT, self.fields()))


if __name__ == "__main__":
    unittest.main()
