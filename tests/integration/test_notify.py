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
# A post that waited on a delivery would take at least the delivery's limit
# (a hanging receiver is given up after it) or the first retry's wait: it
# must answer before that. Not a speed check: on a busy machine (load 15) a
# post that waited on nothing once took 1.23 s, so the bar is that limit.
WAITED_ON_DELIVERY = float(NOTIFY_ENV["FOLIO_NOTIFY_TIMEOUT"])
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
                self.assertLess(elapsed, WAITED_ON_DELIVERY, "posting waited on the dead webhook")
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


UNICODE_SLUG = "elections-debat"
UNICODE_TITLE = "\u00c9lections : \u00abD\u00e9bat\u00bb \u2014 \u9078\u6319 and a title long enough to be folded"
EDITORS = "editors@example.org"
BASE_URL = "https://news.example.org"


def link_path(url):
    """The path of a link in a mail (made with --base-url), to request it here."""
    u = urllib.parse.urlsplit(url)
    assert u.scheme + "://" + u.netloc == BASE_URL, url
    return u.path


def text_of(msg):
    """A mail's text, its CR LF line ends (the canonical form) as \\n."""
    return msg.get_content().replace("\r\n", "\n")


def links_in(text):
    return re.findall(r"https?://[^\s<>\"]+", text)


def sign_link(key, action, comment_id, expires):
    """A mail link's token as the server's link_token_make makes it."""
    import struct
    from comments_client import sign
    return sign(key, "mail-link", struct.pack(">qqB", comment_id, expires, action))


class MailTestCase(NotifyTestCase):
    extra_args = ("--notify-email", EDITORS, "--base-url", BASE_URL)

    @classmethod
    def make_fixtures(cls, tmpdir):
        path = os.path.join(tmpdir, UNICODE_SLUG + ".md")
        with open(path, "w", encoding="utf-8") as f:
            f.write("---\ntitle: %s\nslug: %s\nstatus: published\n---\nBody.\n"
                    % (UNICODE_TITLE, UNICODE_SLUG))
        return harness.fixture_paths() + [path]

    def mails_about(self, comment_id, to=EDITORS, count=1, timeout=20.0):
        text = self.comment_text(comment_id)
        return self.sendmail.wait_for(
            lambda m: m["To"] == to and ("#comment-%d" % comment_id in text_of(m)
                                         or text in text_of(m)),
            count=count, timeout=timeout)

    def comment_text(self, comment_id):
        r = self.row(comment_id)
        return r["body"] if r else "\0"

    def assertWellFormed(self, msg):
        """RFC 5322 and MIME as Python's strict parser reads them."""
        self.assertEqual(msg.defects, [])
        for name in ("Date", "From", "To", "Subject", "Message-ID"):
            self.assertEqual(len(msg.get_all(name, [])), 1, name)
        self.assertEqual(msg["MIME-Version"], "1.0")
        self.assertEqual(msg.get_content_type(), "text/plain")
        self.assertEqual(msg.get_content_charset(), "utf-8")
        self.assertIn(msg["Content-Transfer-Encoding"], ("base64", "quoted-printable"))
        self.assertIsNotNone(msg["Date"].datetime)
        self.assertRegex(msg["Message-ID"], r"^<[^<>@\s]+@news\.example\.org>$")
        for line in msg.raw.split(b"\n"):
            self.assertLessEqual(len(line), 998)
            self.assertTrue(all(b < 0x80 for b in line), "8-bit header or body line: %r" % line)


class EditorsMailTest(MailTestCase):

    def held_mail(self, **fields):
        cid, elapsed = self.post_comment(**fields)
        msg = self.mails_about(cid)[0]
        return cid, msg

    def test_the_editors_mail(self):
        text = unique("Une r\u00e9ponse \u2014 \u9078\u6319") + "\nsecond line <b>&amp;"
        cid, msg = self.held_mail(slug=UNICODE_SLUG, comment=text,
                                  author="Zo\u00eb \u00c5berg")
        self.assertWellFormed(msg)
        self.assertEqual(msg["From"], "folio@news.example.org")
        self.assertEqual(msg["To"], EDITORS)
        self.assertIn(UNICODE_TITLE, msg["Subject"])
        self.assertIn("=?UTF-8?B?", msg.raw.decode("ascii"))
        body = msg.get_content()
        self.assertIn("\r\n", body, "the text's line breaks are CR LF")
        body = text_of(msg)
        self.assertIn(text, body)
        self.assertIn("Zo\u00eb \u00c5berg", body)
        links = [l for l in links_in(body) if "/admin/mail/" in l]
        self.assertEqual(len(links), 2, body)
        self.assertNotEqual(links[0], links[1])

    def test_approve_link_works_once(self):
        cid, msg = self.held_mail()
        approve, trash = [link_path(l) for l in links_in(msg.get_content())
                          if "/admin/mail/" in l]
        # GET shows the comment and a button, and does nothing
        for _ in range(2):
            r = self.get(approve)
            self.assertStatus(r, 200)
            self.assertEqual(r.header("Cache-Control"), "no-store")
            doc = r.html()
            self.assertIn(self.comment_text(cid), doc.find(id="mail-link-comment").text())
            form = doc.find("form", id="mail-link-form")
            self.assertEqual(form.get("method"), "post")
            self.assertEqual(form.get("action"), approve)
            self.assertEqual(self.status_of(cid), "pending")
        # POST acts, with no session or cookie
        r = self.request("POST", approve, body=b"")
        self.assertStatus(r, 200)
        self.assertEqual(self.status_of(cid), "approved")
        with self.db() as conn:
            log = conn.execute("SELECT actor, old_status, new_status, editor_id, token_id "
                               "FROM moderation_log WHERE comment_id = ?", (cid,)).fetchall()
        self.assertEqual([tuple(r) for r in log],
                         [("by mail link", "pending", "approved", None, None)])
        # again, or the other link: nothing changes
        for path in (approve, trash):
            for method in ("POST", "GET"):
                r = self.request(method, path, body=b"" if method == "POST" else None)
                self.assertStatus(r, 409)
                self.assertIn("nothing was changed", r.html().find(id="mail-link-message").text())
        self.assertEqual(self.status_of(cid), "approved")
        with self.db() as conn:
            n = conn.execute("SELECT count(*) FROM moderation_log WHERE comment_id = ?",
                             (cid,)).fetchone()[0]
        self.assertEqual(n, 1)
        # and the approval is an event like any other
        self.receiver.wait_for("comment.approved", cid)

    def test_trash_link(self):
        cid, msg = self.held_mail()
        trash = [link_path(l) for l in links_in(msg.get_content()) if "/admin/mail/" in l][1]
        r = self.request("POST", trash, body=b"")
        self.assertStatus(r, 200)
        self.assertEqual(self.status_of(cid), "trash")

    def test_forged_altered_expired_and_misused_links_change_nothing(self):
        cid, msg = self.held_mail()
        approve = [link_path(l) for l in links_in(msg.get_content()) if "/admin/mail/" in l][0]
        token = approve.rsplit("/", 1)[1]
        key = self.secret()
        altered = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
        cases = {
            "forged": (sign_link(b"x" * 32, 0, cid, int(time.time()) + 3600), 403),
            "altered": (altered, 403),
            "other comment": (token[:-4] + "AAAA", 403),
            "expired": (sign_link(key, 0, cid, int(time.time()) - 10), 410),
            "a subscription's confirmation": (sign_link(key, 2, cid, int(time.time()) + 60), 403),
            "not base64": ("%%%%", (400, 403)),
            "empty-ish": ("A", 403),
        }
        for what, (tok, status) in cases.items():
            for method in ("GET", "POST"):
                r = self.request(method, "/admin/mail/" + tok, body=b"" if method == "POST" else None)
                self.assertStatus(r, status, "%s %s" % (method, what))
                self.assertIsNone(r.html().find("form", id="mail-link-form"), what)
                self.assertNoLeak(r)
        self.assertEqual(self.status_of(cid), "pending")
        # the real one still works
        self.assertStatus(self.request("POST", approve, body=b""), 200)

    def test_hanging_sendmail_delays_nothing_and_loses_nothing(self):
        self.sendmail.set("hang", True)
        try:
            ids = []
            for _ in range(3):
                cid, elapsed = self.post_comment()
                self.assertLess(elapsed, WAITED_ON_DELIVERY, "posting waited on sendmail")
                ids.append(cid)
            time.sleep(3)       # past the 2 s limit: killed, to be tried again
            with self.db() as conn:
                tried = conn.execute("SELECT max(attempts) FROM outbox WHERE channel = 'mail' "
                                     "AND comment_id IN (%s)" % ",".join(map(str, ids))
                                     ).fetchone()[0]
            self.assertGreaterEqual(tried, 1)
        finally:
            self.sendmail.set("hang", False)
        for cid in ids:
            self.mails_about(cid, timeout=40)


class SubscriptionTest(MailTestCase):

    def subscribe(self, **fields):
        email = "sub%d@example.net" % int(time.time() * 1000000 % 10**9)
        cid, _ = self.post_comment(email=email, subscribe="yes", **fields)
        mail = self.sendmail.wait_for(lambda m: m["To"] == email)[0]
        return cid, email, mail

    def mails_to(self, email):
        return [m for m in self.sendmail.messages() if m["To"] == email]

    def link(self, msg, kind):
        paths = [link_path(l) for l in links_in(text_of(msg)) if "/subscriptions/%s/" % kind in l]
        self.assertEqual(len(paths), 1, text_of(msg))
        return paths[0]

    def sub_row(self, cid):
        with self.db() as conn:
            return conn.execute("SELECT * FROM subscriptions WHERE comment_id = ?",
                                (cid,)).fetchone()

    def assertUnsubscribable(self, msg):
        header = msg["List-Unsubscribe"]
        self.assertRegex(header, r"^<https://news\.example\.org/subscriptions/unsubscribe/[^>]+>$")
        self.assertEqual(msg["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        self.assertEqual(link_path(header[1:-1]), self.link(msg, "unsubscribe"))
        return link_path(header[1:-1])

    def wait_worker_idle(self, cid):
        """Every outbox row of the comment dealt with (so a mail not sent
        now is one that will not be sent)."""
        rows = self.wait_delivered(cid, timeout=20)
        self.assertTrue(all(r["state"] == "delivered" for r in rows), [dict(r) for r in rows])

    def test_no_warning_with_base_url(self):
        self.assertNotIn("warning", self.server.logs())

    def test_the_form_offers_it(self):
        r = self.article_page(SUMMIT)
        box = r.html().find("input", id="subscribe")
        self.assertIsNotNone(box)
        self.assertEqual((box.get("type"), box.get("name")), ("checkbox", "subscribe"))
        label = r.html().find("label", **{"for": "subscribe"})
        self.assertEqual(label.norm_text(), "Notify me of follow-up comments by email.")

    def test_double_opt_in_approval_replies_and_one_click_unsubscribe(self):
        cid, email, confirm_mail = self.subscribe()
        self.assertWellFormed(confirm_mail)
        self.assertIn("confirm", confirm_mail["Subject"].lower())
        self.assertUnsubscribable(confirm_mail)
        confirm = self.link(confirm_mail, "confirm")
        # GET asks, and changes nothing
        r = self.get(confirm)
        self.assertStatus(r, 200)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual(r.html().find("form", id="subscription-form").get("action"), confirm)
        self.assertIsNone(self.sub_row(cid)["confirmed_at"])
        # POST confirms, once
        self.assertStatus(self.request("POST", confirm, body=b""), 200)
        confirmed_at = self.sub_row(cid)["confirmed_at"]
        self.assertIsNotNone(confirmed_at)
        for method in ("POST", "GET"):
            self.assertStatus(self.request(method, confirm, body=b"" if method == "POST" else None), 409)
        self.assertEqual(self.sub_row(cid)["confirmed_at"], confirmed_at)
        # approval: mailed
        self.api_approve(cid)
        approved = self.sendmail.wait_for(
            lambda m: m["To"] == email and "published" in m["Subject"])[0]
        self.assertWellFormed(approved)
        self.assertIn("#comment-%d" % cid, text_of(approved))
        unsubscribe = self.assertUnsubscribable(approved)
        # an approved reply by someone else: mailed, and posted as comment.reply
        reply_text = unique("A reply to the subscriber") + " \u2014 d\u00e9j\u00e0"
        rid, _ = self.post_comment(comment=reply_text, comment_parent=str(cid),
                                   author="R\u00e9mi")
        self.api_approve(rid)
        reply = self.sendmail.wait_for(
            lambda m: m["To"] == email and "replied" in m["Subject"])[0]
        self.assertWellFormed(reply)
        self.assertIn("R\u00e9mi", reply["Subject"])
        self.assertIn(reply_text, text_of(reply))
        self.assertIn("#comment-%d" % rid, text_of(reply))
        self.receiver.wait_for("comment.reply", rid)
        # RFC 8058 one-click: a POST of List-Unsubscribe=One-Click, no cookie
        r = self.request("POST", unsubscribe, body=b"List-Unsubscribe=One-Click",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertStatus(r, 200)
        self.assertIsNotNone(self.sub_row(cid)["ended_at"])
        self.assertStatus(self.request("POST", unsubscribe, body=b""), 200)   # again: no harm
        # no more mail
        before = len(self.mails_to(email))
        rid2, _ = self.post_comment(comment_parent=str(cid))
        self.api_approve(rid2)
        self.receiver.wait_for("comment.approved", rid2)
        self.wait_worker_idle(rid2)
        self.assertEqual(len(self.mails_to(email)), before)
        # and confirming again cannot bring it back
        self.assertStatus(self.request("POST", confirm, body=b""), 409)
        self.assertIsNone(self.sub_row(cid)["confirmed_at"] and None)

    def test_unconfirmed_gets_nothing_but_the_confirmation(self):
        cid, email, _ = self.subscribe()
        self.api_approve(cid)
        rid, _ = self.post_comment(comment_parent=str(cid))
        self.api_approve(rid)
        self.receiver.wait_for("comment.approved", rid)
        self.wait_worker_idle(cid)
        self.wait_worker_idle(rid)
        self.assertEqual(len(self.mails_to(email)), 1)

    def test_no_tick_no_mail(self):
        email = "quiet%d@example.net" % int(time.time() * 1000000 % 10**9)
        cid, _ = self.post_comment(email=email)
        self.receiver.wait_for("comment.held", cid)
        self.wait_worker_idle(cid)
        self.assertIsNone(self.sub_row(cid))
        self.assertEqual(self.mails_to(email), [])

    def test_ones_own_reply_is_not_mailed_back(self):
        cid, email, mail = self.subscribe()
        self.assertStatus(self.request("POST", self.link(mail, "confirm"), body=b""), 200)
        self.api_approve(cid)
        self.sendmail.wait_for(lambda m: m["To"] == email and "published" in m["Subject"])
        rid, _ = self.post_comment(comment_parent=str(cid), email=email.upper())
        self.api_approve(rid)
        self.receiver.wait_for("comment.approved", rid)
        self.wait_worker_idle(rid)
        self.assertEqual([m for m in self.mails_to(email) if "replied" in m["Subject"]], [])

    def test_privacy_erase_ends_the_subscription(self):
        cid, email, mail = self.subscribe()
        r = self.folio("privacy", "erase", email)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIsNone(self.sub_row(cid))
        self.assertStatus(self.request("POST", self.link(mail, "confirm"), body=b""), 409)

    def test_forged_altered_expired_and_misused_links_change_nothing(self):
        cid, email, mail = self.subscribe()
        confirm = self.link(mail, "confirm")
        unsubscribe = self.link(mail, "unsubscribe")
        token = confirm.rsplit("/", 1)[1]
        key = self.secret()
        altered = token[:12] + ("A" if token[12] != "A" else "B") + token[13:]
        cases = [
            ("/subscriptions/confirm/" + altered, 403),
            ("/subscriptions/confirm/" + sign_link(b"k" * 32, 2, cid, 0), 403),
            ("/subscriptions/confirm/" + sign_link(key, 2, cid, int(time.time()) - 5), 410),
            ("/subscriptions/confirm/" + sign_link(key, 0, cid, 0), 403),    # an approve link
            ("/subscriptions/unsubscribe/" + token, 403),                    # a confirm token
            ("/admin/mail/" + token, 403),
            ("/subscriptions/unsubscribe/" + unsubscribe.rsplit("/", 1)[1][:-3] + "xyz", 403),
        ]
        for path, status in cases:
            for method in ("GET", "POST"):
                r = self.request(method, path, body=b"" if method == "POST" else None)
                self.assertStatus(r, status, "%s %s" % (method, path))
                self.assertNoLeak(r)
        row = self.sub_row(cid)
        self.assertIsNone(row["confirmed_at"])
        self.assertIsNone(row["ended_at"])
        self.assertEqual(self.status_of(cid), "pending")


class DefaultOptionsTest(CommentClient, harness.FolioTestCase):
    """folio serve with no option at all."""
    server_args = []

    def test_the_form_offers_to_subscribe(self):
        """The box is always there (CONTRACT.md); without --base-url the
        links in the mail come from the request (SubscriptionWithoutBaseUrlTest)."""
        r = self.article_page(SUMMIT)
        self.assertStatus(r, 200)
        doc = r.html()
        box = doc.find("input", id="subscribe")
        self.assertIsNotNone(box)
        self.assertEqual((box.get("type"), box.get("name"), box.get("checked")),
                         ("checkbox", "subscribe", None))
        self.assertIs(box.is_inside(doc.find("form", id="commentform")), True)
        label = doc.find("label", **{"for": "subscribe"})
        self.assertEqual(label.norm_text(), "Notify me of follow-up comments by email.")

    def test_no_warning_without_mail_options(self):
        self.assertNotIn("warning", self.server.logs())


class SubscriptionWithoutBaseUrlTest(NotifyTestCase):
    """No --base-url: the links in a commenter's mail name the address the
    comment was posted to (the request's scheme and Host, as the page's own
    absolute links do), so that they work; a warning at start-up says so."""

    def origin_seen_by_folio(self):
        """The scheme and host folio takes from this test's requests: the
        article page's canonical link is made by the same rule."""
        doc = self.article_page(SUMMIT).html()
        (href,) = [l.get("href") for l in doc.find_all("link") if l.get("rel") == "canonical"]
        u = urllib.parse.urlsplit(href)
        return u.scheme + "://" + u.netloc

    def test_start_up_warns_once_naming_base_url(self):
        log = self.server.logs()
        warnings = [l for l in log.splitlines() if "warning" in l and "--base-url" in l]
        self.assertEqual(len(warnings), 1, log)
        self.assertIn("Host", warnings[0])

    def test_subscribe_confirm_approve_unsubscribe_by_the_links_in_mail(self):
        origin = self.origin_seen_by_folio()
        u = urllib.parse.urlsplit(origin)
        self.assertEqual(u.hostname, self.server.host)
        if self.server.front == "http":     # nginx's stock params may drop the port
            self.assertEqual(origin, self.server.url())
        email = "nobase%d@example.net" % int(time.time() * 1000000 % 10**9)
        cid, _ = self.post_comment(email=email, subscribe="yes")
        confirm_mail = self.sendmail.wait_for(lambda m: m["To"] == email)[0]
        self.assertEqual(confirm_mail.defects, [])
        self.assertEqual(confirm_mail["From"], "folio@" + u.hostname)
        self.assertTrue(confirm_mail["Message-ID"].endswith("@%s>" % u.hostname),
                        confirm_mail["Message-ID"])
        text = text_of(confirm_mail)
        links = links_in(text)
        self.assertTrue(links and all(l.startswith(origin + "/") for l in links), text)
        (confirm,) = [l for l in links if "/subscriptions/confirm/" in l]
        confirm = urllib.parse.urlsplit(confirm).path
        # the confirmation page, then its button
        r = self.get(confirm)
        self.assertStatus(r, 200)
        form = r.html().find("form", id="subscription-form")
        self.assertEqual(form.get("action"), confirm)
        r = self.request("POST", confirm, body=b"")
        self.assertStatus(r, 200)
        self.assertIn("Subscribed", r.html().find("h1").norm_text())
        # approved: mailed, with a link to the comment at the same address
        self.api_approve(cid)
        approved = self.sendmail.wait_for(
            lambda m: m["To"] == email and "published" in m["Subject"])[0]
        self.assertIn("%s/articles/%s#comment-%d" % (origin, SUMMIT, cid), text_of(approved))
        header = approved["List-Unsubscribe"]
        self.assertTrue(header.startswith("<%s/subscriptions/unsubscribe/" % origin), header)
        # one click ends it
        r = self.request("POST", urllib.parse.urlsplit(header[1:-1]).path,
                         body=b"List-Unsubscribe=One-Click",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertStatus(r, 200)
        self.assertIn("Unsubscribed", r.html().find("h1").norm_text())


class OptionsTest(harness.FolioTestCase):
    fixtures = []

    def test_bad_notification_options_are_refused(self):
        db = self.server.db
        cases = [
            (["--notify-webhook", "ftp://example.org/"], "--notify-webhook"),
            (["--notify-email", "not an address"], "--notify-email"),
            (["--notify-email", "ed@example.org"], "--base-url"),
            (["--notify-email", "ed@example.org"], "--notify-email"),
            (["--notify-email", "ed@example.org"], "Host header"),
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
