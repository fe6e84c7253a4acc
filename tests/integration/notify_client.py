"""Helpers for the notification tests: a real webhook receiver (http.server
on a local port) that checks the X-Folio-Signature, and a stand-in sendmail
that records each message it is given into a directory, as a file."""

import email
import email.policy
import glob
import hashlib
import hmac
import http.server
import json
import os
import threading
import time


class WebhookReceiver:
    """POSTs to http://127.0.0.1:PORT/hook, kept in .events (dicts with
    'body' (bytes), 'json', 'headers' (dict, lower-case names) and
    'signature_ok'). stop() closes the port (connection refused); start()
    opens it again on the same port. .status is what it answers."""

    def __init__(self, key):
        self.key = key
        self.events = []
        self.status = 200
        self.lock = threading.Lock()
        self.httpd = None
        self.port = None

    def url(self):
        return "http://127.0.0.1:%d/hook" % self.port

    def start(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                headers = {k.lower(): v for k, v in self.headers.items()}
                want = "sha256=" + hmac.new(receiver.key, body, hashlib.sha256).hexdigest()
                got = headers.get("x-folio-signature", "")
                try:
                    parsed = json.loads(body)
                except ValueError:
                    parsed = None
                with receiver.lock:
                    status = receiver.status
                    if status == 200:
                        receiver.events.append({
                            "body": body, "json": parsed, "headers": headers,
                            "path": self.path,
                            "signature_ok": hmac.compare_digest(want, got)})
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        addr = ("127.0.0.1", self.port or 0)
        self.httpd = http.server.ThreadingHTTPServer(addr, Handler)
        self.httpd.allow_reuse_address = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def matching(self, event=None, comment_id=None):
        with self.lock:
            return [e for e in self.events
                    if e["json"] and (event is None or e["json"].get("event") == event)
                    and (comment_id is None or e["json"]["comment"]["id"] == comment_id)]

    def wait_for(self, event, comment_id, timeout=20.0, count=1):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.matching(event, comment_id)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError("no %s for comment %s within %.0f s; received: %r"
                             % (event, comment_id, timeout,
                                [e["json"] for e in self.events]))


SENDMAIL_SCRIPT = r"""#!/bin/sh
# A stand-in sendmail: checks its arguments are -t -i, stores the message.
# Hangs (up to 60 s) while $DIR/hang exists; fails while $DIR/fail exists.
dir='%(dir)s'
[ "$1" = "-t" ] && [ "$2" = "-i" ] && [ $# -eq 2 ] || { echo "bad args: $*" >&2; exit 64; }
if [ -e "$dir/hang" ]; then sleep 60; exit 75; fi
[ -e "$dir/fail" ] && exit 75
tmp="$dir/.tmp.$$"
cat > "$tmp" || exit 74
mv "$tmp" "$dir/msg.$(date +%%s%%N).$$.eml"
"""


class SendmailRecorder:
    """A sendmail script whose messages land in .dir as msg.*.eml."""

    def __init__(self, tmpdir):
        self.dir = os.path.join(tmpdir, "mail")
        os.makedirs(self.dir, exist_ok=True)
        self.path = os.path.join(tmpdir, "sendmail")
        with open(self.path, "w") as f:
            f.write(SENDMAIL_SCRIPT % {"dir": self.dir})
        os.chmod(self.path, 0o755)

    def set(self, flag, on):
        p = os.path.join(self.dir, flag)
        if on:
            open(p, "w").close()
        elif os.path.exists(p):
            os.unlink(p)

    def raw_messages(self):
        out = []
        for p in sorted(glob.glob(os.path.join(self.dir, "msg.*.eml"))):
            with open(p, "rb") as f:
                out.append(f.read())
        return out

    def messages(self):
        """Every message parsed strictly (email.policy.strict raises on a
        defect), with its raw bytes as .raw."""
        out = []
        for raw in self.raw_messages():
            msg = email.message_from_bytes(raw, policy=email.policy.strict)
            msg.raw = raw
            out.append(msg)
        return out

    def wait_for(self, predicate, timeout=20.0, count=1):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = [m for m in self.messages() if predicate(m)]
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError("no such mail within %.0f s; have: %r"
                             % (timeout, [str(m["Subject"]) for m in self.messages()]))
