"""Notifications (CONTRACT.md, Notifications): the outbox and its worker,
the signed webhook, mail through sendmail, the editors' mail links and the
commenters' subscriptions. A real webhook receiver and a stand-in sendmail
(notify_client.py) take what folio sends. Runs on either front
(FOLIO_FRONT=http|fcgi)."""

import json
import os
import re
import signal
import subprocess
import time
import urllib.parse

import harness
from comments_client import SUMMIT, ZEPPELIN, CommentClient, unique
from notify_client import SendmailRecorder, WebhookReceiver

KEY = b"a webhook key\nwith a second line"
# The first wait after a failure (doubled each time) and the most one
# delivery may take: short, so the tests see retries within seconds.
NOTIFY_ENV = {"FOLIO_NOTIFY_RETRY_SECONDS": "1", "FOLIO_NOTIFY_TIMEOUT": "2"}
API_COMMENT_KEYS = {"id", "article", "parent", "author", "email", "url", "body", "status",
                    "created_at", "ip", "by_site"}


class NotifyTestCase(CommentClient, harness.FolioTestCase):
    """A server with a webhook receiver, its key file and a stand-in sendmail."""
    extra_args = ()

    @classmethod
    def setUpClass(cls):
        cls.saved_env = {k: os.environ.get(k) for k in NOTIFY_ENV}
        os.environ.update(NOTIFY_ENV)
        cls.addClassCleanup(cls.restore_env)
        cls.aux = harness.tempfile.mkdtemp(prefix="folio-notify-")
        cls.addClassCleanup(harness.shutil.rmtree, cls.aux, True)
        cls.receiver = WebhookReceiver(KEY).start()
        cls.addClassCleanup(cls.receiver.stop)
        key_file = os.path.join(cls.aux, "webhook.key")
        with open(key_file, "wb") as f:
            f.write(KEY + b"\n")       # the trailing newline is not part of the key
        cls.sendmail = SendmailRecorder(cls.aux)
        cls.server_args = ["--min-submit-seconds", "0", "--comment-rate", "0",
                           "--trusted-proxy", "127.0.0.1",
                           "--notify-webhook", cls.receiver.url(),
                           "--notify-secret", key_file,
                           "--sendmail", cls.sendmail.path] + list(cls.extra_args)
        super().setUpClass()

    @classmethod
    def restore_env(cls):
        for k, v in cls.saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def post_comment(self, slug=SUMMIT, **fields):
        started = time.monotonic()
        r = self.post(slug, self.fields(**fields))
        elapsed = time.monotonic() - started
        return self.posted_id(r), elapsed

    def outbox(self, comment_id):
        with self.db() as conn:
            return conn.execute("SELECT * FROM outbox WHERE comment_id = ? ORDER BY id",
                                (comment_id,)).fetchall()

    def wait_delivered(self, comment_id, timeout=10.0):
        """The comment's outbox rows once none waits (the receiver may hear
        of an event a moment before the worker records it)."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self.outbox(comment_id)
            if all(r["state"] != "waiting" for r in rows) or time.monotonic() > deadline:
                return rows
            time.sleep(0.05)

    def api_token(self):
        if not getattr(type(self), "token", None):
            r = self.folio("token", "add", "notify-test")
            self.assertEqual(r.returncode, 0, r.stderr)
            type(self).token = r.stdout.strip()
        return type(self).token

    def api_approve(self, comment_id):
        r = self.request("PATCH", "/admin/api/comments/%d" % comment_id,
                         body=json.dumps({"status": "approved"}).encode(),
                         headers={"Authorization": "Bearer " + self.api_token(),
                                  "Content-Type": "application/json"})
        self.assertStatus(r, 200)

    def restart_folio(self):
        srv = self.server
        harness._reap(srv.folio)
        srv.folio = harness.spawn(srv.folio_cmd, stdout=srv._folio_err,
                                  stderr=subprocess.STDOUT, cwd=srv.tmp)
        srv._wait_ready()


class WebhookTest(NotifyTestCase):

    def test_held_comment_is_posted_signed(self):
        text = unique("Held for the webhook") + " \u00e9t\u00e9 \u2014 <b>&"
        cid, _ = self.post_comment(comment=text)
        ev = self.receiver.wait_for("comment.held", cid)[0]
        self.assertTrue(ev["signature_ok"], "X-Folio-Signature does not verify: %r"
                        % ev["headers"].get("x-folio-signature"))
        self.assertEqual(ev["headers"]["content-type"], "application/json")
        body = ev["json"]
        self.assertEqual(set(body), {"id", "event", "created_at", "comment", "article"})
        self.assertRegex(body["id"], r"^[0-9a-f]{32}$")
        self.assertRegex(body["created_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(set(body["comment"]), API_COMMENT_KEYS)
        self.assertEqual(body["comment"]["body"], text)
        self.assertEqual(body["comment"]["status"], "pending")
        self.assertEqual(body["article"]["slug"], SUMMIT)
        self.assertTrue(body["article"]["url"].endswith("/articles/" + SUMMIT))
        # the same comment as the API shows it
        r = self.request("GET", "/admin/api/comments/%d" % cid,
                         headers={"Authorization": "Bearer " + self.api_token()})
        self.assertEqual(json.loads(r.body), body["comment"])
        rows = self.wait_delivered(cid)
        self.assertEqual([(r["event"], r["channel"], r["state"]) for r in rows],
                         [("comment.held", "webhook", "delivered")])
        self.assertEqual(rows[0]["event_id"], body["id"])

    def test_a_forged_signature_would_not_verify(self):
        """The receiver's check is real: another key gives another signature."""
        cid, _ = self.post_comment()
        ev = self.receiver.wait_for("comment.held", cid)[0]
        import hashlib
        import hmac
        other = "sha256=" + hmac.new(KEY + b"\n", ev["body"], hashlib.sha256).hexdigest()
        self.assertNotEqual(other, ev["headers"]["x-folio-signature"])

    def test_approval_is_posted(self):
        cid, _ = self.post_comment()
        self.receiver.wait_for("comment.held", cid)
        self.api_approve(cid)
        ev = self.receiver.wait_for("comment.approved", cid)[0]
        self.assertTrue(ev["signature_ok"])
        self.assertEqual(ev["json"]["comment"]["status"], "approved")
        held = self.receiver.matching("comment.held", cid)[0]
        self.assertNotEqual(held["json"]["id"], ev["json"]["id"])

    def test_spam_sends_nothing(self):
        cid, _ = self.post_comment(hp="filled by a bot")
        time.sleep(1.0)
        self.assertEqual(self.receiver.matching(None, cid), [])
        self.assertEqual(self.outbox(cid), [])

    def test_dead_webhook_delays_nothing_and_loses_nothing(self):
        self.receiver.stop()            # connection refused from now on
        try:
            ids = []
            for _ in range(3):
                cid, elapsed = self.post_comment()
                self.assertLess(elapsed, 1.0, "posting waited on the dead webhook")
                ids.append(cid)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:      # it was tried, and failed
                if all(r["attempts"] >= 1 and r["last_error"]
                       for cid in ids for r in self.outbox(cid)):
                    break
                time.sleep(0.1)
            for cid in ids:
                row = self.outbox(cid)[0]
                self.assertEqual(row["state"], "waiting")
                self.assertGreaterEqual(row["attempts"], 1)
        finally:
            self.receiver.start()
        for cid in ids:
            self.receiver.wait_for("comment.held", cid, timeout=30)

    def test_kill_9_after_the_303_loses_no_event(self):
        self.receiver.stop()            # nothing can be delivered before the kill
        try:
            cid, _ = self.post_comment()
            os.kill(self.server.folio.pid, signal.SIGKILL)
            self.server.folio.wait(10)
            self.restart_folio()
        finally:
            self.receiver.start()
        self.receiver.wait_for("comment.held", cid, timeout=40)


class WebhookOnlyOneProcessDeliversTest(NotifyTestCase):
    """Two server processes on one database: each event is delivered once."""

    def test_two_processes_deliver_each_event_once(self):
        srv = self.server
        port = harness.free_port()
        if srv.front == "http":
            cmd = [srv.bin, "serve", "--listen", "127.0.0.1:%d" % port]
        else:
            cmd = [srv.bin, "fcgi", "--socket", os.path.join(srv.tmp, "second.sock")]
        cmd += ["--db", srv.db] + list(self.server_args)
        log = open(os.path.join(srv.tmp, "second.stderr"), "ab")
        second = harness.spawn(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=srv.tmp)
        try:
            time.sleep(0.5)
            ids = [self.post_comment()[0] for _ in range(10)]
            for cid in ids:
                self.receiver.wait_for("comment.held", cid)
            time.sleep(1.0)
            for cid in ids:
                self.assertEqual(len(self.receiver.matching("comment.held", cid)), 1)
        finally:
            second.send_signal(signal.SIGTERM)
            self.assertEqual(second.wait(10), 0)
            harness._reap(second)
            log.close()


class OptionsTest(harness.FolioTestCase):
    fixtures = []

    def test_bad_notification_options_are_refused(self):
        db = self.server.db
        cases = [
            (["--notify-webhook", "ftp://example.org/"], "--notify-webhook"),
            (["--notify-email", "not an address"], "--notify-email"),
            (["--notify-email", "ed@example.org"], "--base-url"),
            (["--mail-from", "a@b@c"], "--mail-from"),
            (["--notify-secret", "/nonexistent"], "--notify-secret"),
            (["--sendmail", "sendmail"], "--sendmail"),
        ]
        for args, named in cases:
            r = harness.run_folio(["serve", "--listen", "127.0.0.1:%d" % harness.free_port()]
                                  + args, db=db, timeout=10)
            self.assertEqual(r.returncode, 2, (args, r.stderr))
            self.assertIn(named, r.stderr)

    def test_a_missing_key_file_is_named(self):
        r = harness.run_folio(["serve", "--listen", "127.0.0.1:%d" % harness.free_port(),
                               "--notify-webhook", "http://127.0.0.1:9/",
                               "--notify-secret", "/nonexistent/key"],
                              db=self.server.db, timeout=10)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("/nonexistent/key", r.stderr)


if __name__ == "__main__":
    import unittest
    unittest.main()
