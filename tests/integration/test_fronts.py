"""The front ends themselves, on whatever socket they are given, and how they
stop; the nginx micro-cache from docs/nginx.conf; WAL on a new database.

Runs under any FOLIO_FRONT: every test starts the servers it needs (folio
serve, or folio fcgi behind a real nginx) in ways the shared harness does not:

- `folio fcgi --listen HOST:PORT` (TCP) behind nginx;
- `folio fcgi` given a listening socket on fd 0, as spawn-fcgi passes it
  (made here in Python, and through the real spawn-fcgi when installed);
- `folio fcgi` with no socket at all: exit 2;
- SIGTERM while a request is in flight: it is still answered, in full, and
  folio exits 0 (a slow client on `folio serve`; a slow FastCGI client on
  `folio fcgi`; a request nginx has sent that waits in folio's socket queue;
  and a burst of GETs through nginx);
- nginx's micro-cache configured as docs/nginx.conf's optional section says
  (the directives are read from that file, so the shipped config is what is
  tested): repeated GETs are HITs, readers with folio's cookies bypass it, a
  HEAD is never served to a GET, and an approval shows within 1.5 s; and
  a Host header never poisons it, with or without --base-url, even when
  nginx passes the raw Host on (as its upstream fastcgi_params does);
- a database `folio serve` created is in WAL mode.
"""

import http.client
import os
import re
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

import harness
from comments_client import SUMMIT, ZEPPELIN, CommentClient

FIXTURES = harness.fixture_articles()
STOP_WITHIN = 5.0          # seconds from SIGTERM (or the last byte) to exit
DOC_NGINX = os.path.join(harness.REPO, "docs", "nginx.conf")


def title_of(slug):
    return FIXTURES[slug]["title"]


def html_text(s):
    """The title as the page writes it (HTML-escaped)."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def journal_mode(db):
    conn = sqlite3.connect(db, timeout=10)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


# ---------------------------------------------------------------------------
# The micro-cache of docs/nginx.conf, read from the file.

_DIRECTIVE_LINE = re.compile(r"^(#|\s|\}|[a-z_]+[\s;{])")


def _ends_a_statement(paragraph):
    code = [t for t in paragraph if not t.startswith("#")]
    return not code or code[-1].rstrip().endswith((";", "}"))


def doc_micro_cache():
    """(http-level part, location part) of docs/nginx.conf's optional
    micro-cache, uncommented. The commented blocks are split into paragraphs
    at '#' lines; prose paragraphs are left out, configuration kept (its own
    '# # ...' comments become nginx comments)."""
    with open(DOC_NGINX, encoding="utf-8") as f:
        lines = f.read().split("\n")
    parts = []
    for n in (1, 2):
        marker = "Optional micro-cache, part %d of 2" % n
        starts = [i for i, line in enumerate(lines) if marker in line]
        if len(starts) != 1:
            raise AssertionError("docs/nginx.conf: %r found %d times" % (marker, len(starts)))
        paragraphs, current = [], []
        for line in lines[starts[0]:]:
            s = line.strip()
            if not s.startswith("#") or s.startswith("# ---"):
                break
            text = s[1:]
            if text.startswith(" "):
                text = text[1:]
            if not text.strip():
                if current:
                    paragraphs.append(current)
                current = []
            else:
                current.append(text)
        if current:
            paragraphs.append(current)
        config = [p for p in paragraphs if all(_DIRECTIVE_LINE.match(t) for t in p)
                  and _ends_a_statement(p)]
        parts.append("\n".join("\n".join(p) for p in config))
    http_part, location_part = parts
    for needed, where in (("fastcgi_cache_path", http_part), ("fastcgi_cache ", location_part),
                          ("fastcgi_cache_key", location_part),
                          ("fastcgi_cache_valid", location_part),
                          ("fastcgi_cache_bypass", location_part),
                          ("fastcgi_no_cache", location_part),
                          ("X-Cache", location_part)):
        if needed not in where:
            raise AssertionError("docs/nginx.conf's micro-cache (as read by this test) has no "
                                 "%r:\n--- part 1 ---\n%s\n--- part 2 ---\n%s"
                                 % (needed, http_part, location_part))
    for cookie in ("folio_pending", "comment_author", "folio_session"):
        if "$cookie_" + cookie not in location_part:
            raise AssertionError("docs/nginx.conf's micro-cache does not bypass the cookie %s"
                                 % cookie)
    return http_part, location_part


# ---------------------------------------------------------------------------
# A FastCGI client, just enough to be a slow nginx.

FCGI_BEGIN_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT = 1, 3, 4, 5, 6


def fcgi_record(rtype, content=b"", req_id=1):
    return struct.pack(">BBHHBB", 1, rtype, req_id, len(content), 0, 0) + content


def fcgi_begin(req_id=1):
    return fcgi_record(FCGI_BEGIN_REQUEST, struct.pack(">HB5x", 1, 0), req_id)  # responder


def fcgi_params(params, req_id=1):
    out = b""
    for k, v in params.items():
        k, v = k.encode(), v.encode()
        for n in (len(k), len(v)):
            out += bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
        out += k + v
    return fcgi_record(FCGI_PARAMS, out, req_id) + fcgi_record(FCGI_PARAMS, b"", req_id)


def fcgi_stdin(data, req_id=1):
    out = b""
    for i in range(0, len(data), 32768):
        out += fcgi_record(FCGI_STDIN, data[i:i + 32768], req_id)
    return out


def fcgi_read_response(sock, timeout):
    """Reads records to FCGI_END_REQUEST. Returns (stdout bytes, app status),
    or raises when the connection ends first or nothing comes in time."""
    sock.settimeout(timeout)
    buf, stdout = b"", b""
    while True:
        while len(buf) >= 8:
            _, rtype, _, clen, plen, _ = struct.unpack(">BBHHBB", buf[:8])
            if len(buf) < 8 + clen + plen:
                break
            content = buf[8:8 + clen]
            buf = buf[8 + clen + plen:]
            if rtype == FCGI_STDOUT:
                stdout += content
            elif rtype == FCGI_END_REQUEST:
                return stdout, struct.unpack(">I", content[:4])[0]
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            raise AssertionError("the FastCGI connection ended before FCGI_END_REQUEST; "
                                 "stdout so far: %r" % stdout[:300])
        buf += chunk


def cgi_response(stdout):
    """(status, headers, body) of a FastCGI responder's stdout."""
    head, sep, body = stdout.partition(b"\r\n\r\n")
    if not sep:
        raise AssertionError("no header block in the FastCGI answer: %r" % stdout[:300])
    headers = harness._parse_headers(head + b"\r\n")
    m = re.match(r"(\d{3})", headers.get("Status") or "")
    if not m:
        raise AssertionError("no Status header in the FastCGI answer: %r" % head[:300])
    return int(m.group(1)), headers, body


# ---------------------------------------------------------------------------
# Servers started the ways the shared harness does not.

class FrontServer(harness.FolioServer):
    """how: "serve" (folio serve), "socket" (folio fcgi --socket), "tcp"
    (folio fcgi --listen 127.0.0.1:PORT), "fd0" (a listening unix socket made
    here, on folio's stdin), "spawn-fcgi" (spawn-fcgi -n -s PATH -- folio fcgi).
    Every fcgi kind runs behind nginx; cache=True adds docs/nginx.conf's
    micro-cache. fresh_db=True: no `folio init`, the server makes the file."""

    def __init__(self, how, cache=False, fresh_db=False, server_args=(), name=None,
                 launch_prefix=()):
        super().__init__(front="http" if how == "serve" else "fcgi",
                         server_args=server_args, name=name or "fronts-" + how)
        self.how = how
        self.launch_prefix = list(launch_prefix)    # for "socket": e.g. prlimit
        self.cache = cache
        self.fresh_db = fresh_db
        self.fcgi_port = None
        self.socket_path = os.path.join(self.tmp, "folio.sock")
        self.exit_status = None
        self.signalled = False

    def start(self):
        with self.stopped_if_failing():
            if not self.fresh_db:
                self.prepare_db()
            self.port = harness.free_port()
            if self.how == "serve":
                self._launch(["serve", "--listen", "%s:%d" % (self.host, self.port)])
            else:
                if self.how == "socket":
                    self._launch(["fcgi", "--socket", self.socket_path],
                                 prefix=self.launch_prefix)
                elif self.how == "tcp":
                    self.fcgi_port = harness.free_port()
                    self._launch(["fcgi", "--listen", "127.0.0.1:%d" % self.fcgi_port])
                elif self.how == "fd0":
                    lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    try:
                        lsock.bind(self.socket_path)
                        lsock.listen(128)
                        self._launch(["fcgi"], stdin=lsock.fileno())
                    finally:
                        lsock.close()  # folio has its own copy
                elif self.how == "spawn-fcgi":
                    self._launch(["fcgi"], prefix=[shutil.which("spawn-fcgi"), "-n",
                                                   "-s", self.socket_path, "--"])
                else:
                    raise ValueError(self.how)
                self._start_nginx()
            self._wait_ready()
        return self

    def _launch(self, args, stdin=subprocess.DEVNULL, prefix=()):
        cmd = list(prefix) + [self.bin] + args + ["--db", self.db] + self.www_args() \
            + self.server_args
        self.folio_cmd = cmd
        self._folio_err = open(self.folio_log, "ab")
        self.folio = harness.spawn(cmd, stdin=stdin, stdout=self._folio_err,
                                   stderr=subprocess.STDOUT, cwd=self.tmp)

    def fcgi_target(self):
        return ("127.0.0.1:%d" % self.fcgi_port if self.how == "tcp"
                else "unix:" + self.socket_path)

    def nginx_conf(self):
        conf = super().nginx_conf()
        pass_line = (harness.FCGI_KEPT_PASS if self.KEEP_CONN
                     else "fastcgi_pass %s;" % self.fcgi_target())
        assert conf.count(pass_line) == 1, "the harness's nginx.conf changed shape"
        if self.cache:
            http_part, location_part = doc_micro_cache()
            cache_dir = os.path.join(self.tmp, "nginx", "cache")
            http_part, n = re.subn(r"(fastcgi_cache_path\s+)\S+", r"\g<1>" + cache_dir, http_part)
            assert n == 1
            at = conf.index("    server {")
            conf = conf[:at] + http_part + "\n" + conf[at:]
            at = conf.index(pass_line) + len(pass_line)
            conf = conf[:at] + "\n" + location_part + "\n" + conf[at:]
        return conf

    def signal_term(self):
        """SIGTERM to folio alone; the test then waits for it (term(send=False))."""
        self.signalled = True
        self.folio.send_signal(signal.SIGTERM)

    def stop(self, check=True):
        # A folio the test sent SIGTERM to may be gone already: not a
        # problem for the harness, but its exit status still counts.
        problem = None
        if self.folio is not None and self.signalled:
            try:
                self.folio.wait(harness.STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass    # super().stop() says so, and kills it
        if self.folio is not None and self.signalled and self.folio.poll() is not None:
            if self.folio.returncode != 0:
                problem = "folio exited with status %s after SIGTERM (want 0)" \
                    % self.folio.returncode
            harness._reap(self.folio)
            self.folio = None
        super().stop(check)
        if problem and check:
            raise AssertionError(problem)

    def term(self, timeout=STOP_WITHIN, send=True):
        """SIGTERM to folio alone (nginx stays; send=False: it was sent
        already). Returns folio's exit status, or None when it did not exit
        within `timeout` (it is then killed)."""
        proc = self.folio
        if send:
            self.signal_term()
        try:
            self.exit_status = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            harness._kill_group(proc, signal.SIGKILL)
            proc.wait()
            self.exit_status = None
        harness._reap(proc)
        self.folio = None       # stop() leaves it alone now
        return self.exit_status

    def nginx_errors(self):
        try:
            with open(self.nginx_log, encoding="utf-8", errors="replace") as f:
                return [line for line in f if "[error]" in line or "[crit]" in line
                        or "[alert]" in line]
        except OSError:
            return []


class ServerTestCase(unittest.TestCase):
    """A server per test: self.start(...) it; it is stopped at cleanup."""
    maxDiff = 4000
    server = None

    def start(self, how, **kw):
        srv = FrontServer(how, name="%s-%s" % (self._testMethodName[5:25], how), **kw)
        self.addCleanup(srv.stop)
        srv.start()
        self.server = srv
        return srv

    def request(self, method, path, body=None, headers=None, **kw):
        return self.server.request(method, path, body=body, headers=headers, **kw)

    def get(self, path, headers=None, **kw):
        return self.server.request("GET", path, headers=headers, **kw)

    def assertStatus(self, resp, status, msg=None):
        wanted = status if isinstance(status, (tuple, list, set)) else (status,)
        if resp.status not in wanted:
            self.fail("%sexpected HTTP %s, got:\n%s" % (msg + ": " if msg else "",
                                                       "/".join(map(str, wanted)),
                                                       resp.describe()))

    def fcgi_params_for(self, srv, method, path, body=b""):
        """What nginx's stock fastcgi_params sends for a request."""
        target, _, query = path.partition("?")
        return {
            "REQUEST_METHOD": method, "REQUEST_URI": path, "DOCUMENT_URI": target,
            "SCRIPT_NAME": target, "QUERY_STRING": query, "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_TYPE": "application/x-www-form-urlencoded" if body else "",
            "CONTENT_LENGTH": str(len(body)) if body else "", "REMOTE_ADDR": "127.0.0.1",
            "REMOTE_PORT": "40000", "SERVER_ADDR": "127.0.0.1", "SERVER_PORT": str(srv.port),
            "SERVER_NAME": "localhost", "HTTP_HOST": srv.host_header,
            "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_SOFTWARE": "test_fronts",
        }

    def fcgi_connect(self, srv):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(s.close)
        s.settimeout(10)
        s.connect(srv.socket_path)
        return s

    def assertPages(self, srv):
        """GET / and an article: 200, with the article's title."""
        for path in ("/", "/articles/" + SUMMIT):
            r = srv.request("GET", path)
            self.assertStatus(r, 200, "GET %s (%s)" % (path, srv.how))
            self.assertIn(html_text(title_of(SUMMIT)), r.text, "GET %s" % path)
        r = srv.request("GET", "/articles/" + SUMMIT)
        h1 = r.html().find("h1")
        self.assertIsNotNone(h1, "no <h1> on the article page")
        self.assertEqual(h1.norm_text(), title_of(SUMMIT))

    def assertTermExits0(self, srv):
        status = srv.term()
        self.assertIsNotNone(status, "folio (%s) did not exit within %ss of SIGTERM\n%s"
                             % (srv.how, STOP_WITHIN, srv.logs()))
        self.assertEqual(status, 0, "folio (%s) exit status after SIGTERM\n%s"
                         % (srv.how, srv.logs()))


# ---------------------------------------------------------------------------
# 1-3: the FastCGI listener, however it is given

class FcgiListenerTest(ServerTestCase):

    def test_listen_tcp_behind_nginx(self):
        srv = self.start("tcp")
        self.assertPages(srv)
        self.assertIn("127.0.0.1:%d" % srv.fcgi_port, srv.folio_cmd)
        self.assertTermExits0(srv)

    def test_listening_socket_on_fd0(self):
        srv = self.start("fd0")
        self.assertPages(srv)
        self.assertNotIn("--socket", srv.folio_cmd)
        self.assertNotIn("--listen", srv.folio_cmd)
        self.assertTermExits0(srv)

    def test_spawn_fcgi(self):
        if not shutil.which("spawn-fcgi"):
            self.skipTest("spawn-fcgi is not installed (Debian package spawn-fcgi)")
        srv = self.start("spawn-fcgi")
        self.assertPages(srv)
        # -n: spawn-fcgi execs folio in place, so the signal reaches folio
        self.assertTermExits0(srv)

    def test_no_socket_at_all_is_bad_usage(self):
        tmp = tempfile.mkdtemp(prefix="folio-it-fronts-")
        self.addCleanup(shutil.rmtree, tmp, True)
        db = os.path.join(tmp, "folio.db")
        r = harness.run_folio(["init"], db=db)
        self.assertEqual(r.returncode, 0, r.stderr)
        cmd = [harness.folio_bin(), "fcgi", "--db", db] + (
            ["--www", harness.www_dir()] if os.environ.get("FOLIO_WWW") else [])

        def run(stdin, what):
            proc = harness.spawn(cmd, stdin=stdin, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
            try:
                out, err = proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                harness._kill_group(proc, signal.SIGKILL)
                proc.communicate()
                self.fail("folio fcgi with %s on fd 0 kept running (want exit 2)" % what)
            finally:
                harness._reap(proc)
            err = err.decode("utf-8", "replace")
            self.assertEqual(proc.returncode, 2, "fd 0 = %s: exit status; stderr:\n%s"
                             % (what, err))
            self.assertTrue("--socket" in err or "--listen" in err,
                            "fd 0 = %s: stderr names neither --socket nor --listen:\n%s"
                            % (what, err))

        run(subprocess.DEVNULL, "/dev/null")
        with open(db, "rb") as f:
            run(f, "a regular file")
        a, b = socket.socketpair()
        try:
            run(a.fileno(), "a connected (not listening) socket")
        finally:
            a.close()
            b.close()
        bound = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            bound.bind(os.path.join(tmp, "not-listening.sock"))
            run(bound.fileno(), "a bound socket that does not listen")
        finally:
            bound.close()


# ---------------------------------------------------------------------------
# 3b: connections nginx keeps open between requests (docs/nginx.conf)

class ShortKeepaliveServer(FrontServer):
    """nginx closes a kept connection after one idle second."""

    def nginx_conf(self):
        conf = super().nginx_conf()
        assert conf.count("keepalive 8;") == 1, "the harness's upstream changed shape"
        return conf.replace("keepalive 8;", "keepalive 8;\n        keepalive_timeout 1s;")


class NoKeepConnServer(FrontServer):
    """nginx as configured before docs/nginx.conf kept connections: a new
    connection for every request."""
    KEEP_CONN = False


def cpu_seconds(pid):
    """utime + stime of a process so far."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class FcgiKeptConnectionTest(CommentClient, ServerTestCase):
    ARGS = ["--min-submit-seconds", "0", "--comment-rate", "0"]

    def start_kind(self, cls, server_args=()):
        srv = cls("socket", name="%s-kept" % self._testMethodName[5:25],
                  server_args=self.ARGS + list(server_args))
        self.addCleanup(srv.stop)
        srv.start()
        self.server = srv
        return srv

    def concurrent_gets(self, srv, clients, rounds):
        """`clients` readers at once, `rounds` times: [(status, title seen)]."""
        path = "/articles/" + SUMMIT
        want = html_text(title_of(SUMMIT))
        results, lock = [], threading.Lock()
        barrier = threading.Barrier(clients)

        def reader():
            for _ in range(rounds):
                try:
                    barrier.wait(10)
                    r = srv.request("GET", path, timeout=5)
                    out = (r.status, want in r.text)
                except Exception as e:  # noqa: BLE001: recorded and asserted on
                    out = (repr(e), False)
                with lock:
                    results.append(out)

        threads = [threading.Thread(target=reader, daemon=True) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        return results

    def test_more_kept_connections_than_threads(self):
        """Two threads, and nginx keeping up to 8 connections to folio:
        twelve readers at once, five times over. Every one is answered at
        once; none waits behind a connection that lies idle in nginx's pool
        (libfcgi's own way, a thread per connection, left 10 of the 12
        waiting for good)."""
        with open(DOC_NGINX) as f:
            doc = f.read()
        self.assertRegex(doc, r"\nupstream folio \{[^}]*\n\s*keepalive \d+;",
                         "docs/nginx.conf, which this test's nginx follows, keeps no connections")
        self.assertEqual(len(re.findall(r"\n\s*fastcgi_keep_conn on;", doc)), 2,
                         "docs/nginx.conf: fastcgi_keep_conn on, in both locations")
        srv = self.start_kind(FrontServer, ["--threads", "2"])
        self.assertIn("fastcgi_keep_conn on", srv.nginx_conf())
        results = self.concurrent_gets(srv, 12, 5)
        self.assertEqual(len(results), 60)
        bad = [r for r in results if r != (200, True)]
        self.assertEqual(bad, [], "answers other than a 200 with the article\n" + srv.logs())
        # a comment through the same kept connections
        r = self.post(SUMMIT)
        self.posted_id(r, SUMMIT)
        timed_out = [line for line in srv.nginx_errors() if re.search(r"timed out", line)]
        self.assertEqual(timed_out, [])
        self.assertTermExits0(srv)

    def test_a_connection_nginx_closes_while_idle(self):
        """nginx closes its idle kept connections after a second: folio lets
        them go, without an error, without spinning on them, and serves the
        next requests on new ones."""
        srv = self.start_kind(ShortKeepaliveServer, ["--threads", "2"])
        results = self.concurrent_gets(srv, 4, 2)
        self.assertEqual(results, [(200, True)] * 8)
        time.sleep(2.5)             # nginx has closed them all by now
        before = cpu_seconds(srv.folio.pid)
        time.sleep(1.0)
        idle_cpu = cpu_seconds(srv.folio.pid) - before
        self.assertLess(idle_cpu, 0.2, "folio used %.2f s of CPU in an idle second" % idle_cpu)
        results = self.concurrent_gets(srv, 4, 2)
        self.assertEqual(results, [(200, True)] * 8)
        self.posted_id(self.post(SUMMIT), SUMMIT)
        with open(srv.folio_log, errors="replace") as f:
            errors = [line for line in f if " folio error: " in line]
        self.assertEqual(errors, [], srv.logs())
        self.assertTermExits0(srv)

    def test_connections_past_the_limit_wait_for_one_to_close(self):
        """folio keeps as many connections open as its open-file limit
        leaves room for (it says how many when it starts): FastCGI clients
        that keep theirs (FCGI_KEEP_CONN) fill them, the next two wait in
        the socket's queue, unanswered, and are answered as soon as two of
        the idle ones close. The kept ones go on serving meanwhile."""
        if not shutil.which("prlimit"):
            self.skipTest("prlimit is not installed (Debian package util-linux)")
        # nginx's own connections are not kept here: the limit is the test's
        srv = NoKeepConnServer("socket", name="conn-limit", server_args=self.ARGS,
                               launch_prefix=[shutil.which("prlimit"), "--nofile=128", "--"])
        self.addCleanup(srv.stop)
        srv.start()
        self.server = srv
        # (said once its threads run: they may answer /healthz before)
        deadline = time.monotonic() + 5
        while True:
            with open(srv.folio_log, errors="replace") as f:
                m = re.search(r"with (\d+) threads, up to (\d+) connections", f.read())
            if m or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertIsNotNone(m, "folio does not say how many connections it keeps\n"
                             + srv.logs())
        threads, limit = int(m.group(1)), int(m.group(2))
        self.assertGreaterEqual(limit, threads)
        self.assertLess(limit, 64, "a limit of 128 open files leaves room for %d?" % limit)
        params = fcgi_params(self.fcgi_params_for(srv, "GET", "/healthz"))
        kept_begin = fcgi_record(FCGI_BEGIN_REQUEST, struct.pack(">HB5x", 1, 1))  # KEEP_CONN

        def ask(s):
            s.sendall(kept_begin + params + fcgi_record(FCGI_STDIN, b""))

        def answered(s, timeout):
            try:
                stdout, _ = fcgi_read_response(s, timeout)
            except (socket.timeout, TimeoutError):
                return None
            return cgi_response(stdout)[0]

        kept = [self.fcgi_connect(srv) for _ in range(limit)]
        for i, s in enumerate(kept):
            ask(s)
            self.assertEqual(answered(s, 10), 200, "kept connection %d of %d\n%s"
                             % (i + 1, limit, srv.logs()))
        waiting = [self.fcgi_connect(srv) for _ in range(2)]
        for s in waiting:
            ask(s)
        for s in waiting:
            self.assertIsNone(answered(s, 1.0), "answered past the limit of %d" % limit)
        with open(srv.folio_log, errors="replace") as f:
            self.assertIn("%d connections open" % limit, f.read())
        ask(kept[5])
        self.assertEqual(answered(kept[5], 10), 200, "a kept connection at the limit")
        kept[0].close()
        kept[1].close()
        for s in waiting:
            self.assertEqual(answered(s, 10), 200, "still waiting after two closed\n"
                             + srv.logs())
        with open(srv.folio_log, errors="replace") as f:
            self.assertNotIn("Too many open files", f.read())
        self.assertTermExits0(srv)

    def test_nginx_without_kept_connections(self):
        """An nginx configured without fastcgi_keep_conn (a connection per
        request) is served as well: pages, a comment, a stop."""
        srv = self.start_kind(NoKeepConnServer, ["--threads", "2"])
        self.assertNotIn("keep_conn", srv.nginx_conf())
        results = self.concurrent_gets(srv, 6, 3)
        self.assertEqual(results, [(200, True)] * 18)
        self.posted_id(self.post(SUMMIT), SUMMIT)
        self.assertTermExits0(srv)


# ---------------------------------------------------------------------------
# 4: SIGTERM lets requests in flight finish, on both fronts

class GracefulStopTest(CommentClient, ServerTestCase):
    ARGS = ["--min-submit-seconds", "0", "--comment-rate", "0", "--threads", "4"]

    def comment_body(self, marker):
        """A valid comment form of a few KB, with a fresh token."""
        fields = self.fields(comment=marker + " lorem ipsum dolor" * 200)
        fields["token"] = self.token_for(SUMMIT)
        body = urllib.parse.urlencode(fields).encode()
        self.assertGreater(len(body), 3000)
        return fields, body

    def test_http_slow_post_is_answered_after_sigterm(self):
        srv = self.start("serve", server_args=self.ARGS)
        marker = "slowhttp%d" % int(time.time() * 1000)
        fields, body = self.comment_body(marker)
        head1 = ("POST /articles/%s/comments HTTP/1.1\r\nHost: %s\r\n"
                 "Content-Type: application/x-www-form-urlencoded\r\n"
                 % (SUMMIT, srv.host_header)).encode()
        head2 = ("User-Agent: slow-test\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
                 % len(body)).encode()
        s = socket.create_connection((srv.host, srv.port), timeout=10)
        self.addCleanup(s.close)
        s.sendall(head1)                      # the request line, half the headers
        time.sleep(0.3)
        srv.signal_term()
        time.sleep(0.5)
        self.assertIsNone(srv.folio.poll(), "folio (serve) exited with a request in flight\n"
                          + srv.logs())
        s.sendall(head2 + body[:len(body) // 2])
        time.sleep(0.3)
        s.sendall(body[len(body) // 2:])
        received = b""
        s.settimeout(10)
        while True:
            try:
                chunk = s.recv(65536)
            except ConnectionResetError:
                self.fail("connection reset instead of an answer; got %r\n%s"
                          % (received[:300], srv.logs()))
            if not chunk:
                break
            received += chunk
        resp, complete = harness._parse_raw(received, "POST")
        self.assertIsNotNone(resp, "no HTTP answer after SIGTERM; got %r\n%s"
                             % (received[:300], srv.logs()))
        if resp.header("Content-Length") is not None:
            self.assertTrue(complete, "a cut answer: %r" % received[:500])
        self.assertStatus(resp, 303, "the POST finished after SIGTERM")
        self.assertEqual(len(self.rows_with_body(fields["comment"])), 1,
                         "the comment answered 303 is not stored")
        t0 = time.monotonic()
        self.assertTermExits0_already_signalled(srv)
        self.assertLess(time.monotonic() - t0, STOP_WITHIN)

    def assertTermExits0_already_signalled(self, srv):
        status = srv.term(send=False)
        self.assertIsNotNone(status, "folio did not exit within %ss of its last request\n%s"
                             % (STOP_WITHIN, srv.logs()))
        self.assertEqual(status, 0, "exit status after SIGTERM\n" + srv.logs())

    def fcgi_answer(self, s, what):
        """(status, headers, body) of the answer on s; the body must be whole."""
        try:
            stdout, _ = fcgi_read_response(s, 10)
        except (AssertionError, OSError) as e:
            self.fail("%s: no whole FastCGI answer after SIGTERM: %s\n%s"
                      % (what, e, self.server.logs()))
        status, headers, payload = cgi_response(stdout)
        if headers.get("Content-Length") is not None:
            self.assertEqual(len(payload), int(headers.get("Content-Length")),
                             "%s: a cut body" % what)
        return status, headers, payload

    def slow_fcgi_post(self, srv):
        """Starts a comment POST as a slow FastCGI client (standing in for
        nginx): the parameters and half the body. Returns (socket, fields,
        the rest of the body)."""
        fields, body = self.comment_body("slowfcgi%d" % int(time.time() * 1000))
        path = "/articles/%s/comments" % SUMMIT
        s = self.fcgi_connect(srv)
        s.sendall(fcgi_begin() + fcgi_params(self.fcgi_params_for(srv, "POST", path, body))
                  + fcgi_stdin(body[:len(body) // 2]))
        return s, fields, body[len(body) // 2:]

    def finish_slow_fcgi_post(self, s, fields, rest):
        s.sendall(fcgi_stdin(rest) + fcgi_record(FCGI_STDIN, b""))
        status, _, payload = self.fcgi_answer(s, "the slow POST")
        self.assertEqual(status, 303, "the POST finished after SIGTERM:\n%r" % payload[:500])
        self.assertEqual(len(self.rows_with_body(fields["comment"])), 1,
                         "the comment answered 303 is not stored")

    def test_fcgi_slow_body_is_answered_after_sigterm(self):
        """Parameters and half the body, SIGTERM, then the rest: the whole
        answer comes, and folio exits 0."""
        srv = self.start("socket", server_args=self.ARGS)
        s, fields, rest = self.slow_fcgi_post(srv)
        time.sleep(0.3)
        srv.signal_term()
        time.sleep(0.5)
        self.assertIsNone(srv.folio.poll(), "folio (fcgi) exited with a request in flight\n"
                          + srv.logs())
        self.finish_slow_fcgi_post(s, fields, rest)
        t0 = time.monotonic()
        self.assertTermExits0_already_signalled(srv)
        self.assertLess(time.monotonic() - t0, STOP_WITHIN)

    def test_fcgi_request_queued_on_the_socket_is_answered_after_sigterm(self):
        """With its one thread busy, folio gets a second request that waits
        in the socket's queue (what nginx does under load): nginx has
        connected and sent it all. SIGTERM comes; the queued request must
        still be answered, not reset (nginx would turn that into a 502)."""
        srv = self.start("socket", server_args=[
            "--min-submit-seconds", "0", "--comment-rate", "0", "--threads", "1"])
        s1, fields, rest = self.slow_fcgi_post(srv)
        time.sleep(0.3)                 # the only thread has taken it
        s2 = self.fcgi_connect(srv)
        s2.sendall(fcgi_begin()
                   + fcgi_params(self.fcgi_params_for(srv, "GET", "/articles/" + ZEPPELIN))
                   + fcgi_record(FCGI_STDIN, b""))
        time.sleep(0.3)
        srv.signal_term()
        time.sleep(0.3)
        self.finish_slow_fcgi_post(s1, fields, rest)
        status, _, payload = self.fcgi_answer(s2, "the request queued at SIGTERM")
        self.assertEqual(status, 200)
        self.assertIn(html_text(title_of(ZEPPELIN)).encode(), payload)
        self.assertTermExits0_already_signalled(srv)

    def test_fcgi_burst_of_gets_through_nginx_at_sigterm(self):
        """Readers keep asking through nginx while folio gets SIGTERM: every
        answer is a complete 200 or nginx's 502 for an upstream that has
        gone, and nginx never saw folio cut off a request it had begun
        ("prematurely closed", "upstream sent" garbage, a timeout). A reset
        ("reset by peer") is a request left in the socket's queue: the test
        above holds folio to those. So is a broken pipe "while sending
        request to upstream": nginx wrote to a kept connection folio had
        just closed (folio stops with no way to tell nginx first), and
        nginx sends a GET again on a new connection."""
        srv = self.start("socket", server_args=self.ARGS)
        path = "/articles/" + ZEPPELIN
        want_title = html_text(title_of(ZEPPELIN)).encode()
        results, lock = [], threading.Lock()
        stop = threading.Event()

        def reader():
            while not stop.is_set():
                t = time.monotonic()
                conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
                try:
                    conn.request("GET", path)
                    r = conn.getresponse()
                    body = r.read()   # IncompleteRead on a cut body
                    out = (t, r.status, want_title in body and b"</html>" in body, None)
                except Exception as e:  # noqa: BLE001: recorded and asserted on
                    out = (t, None, False, repr(e))
                finally:
                    conn.close()
                with lock:
                    results.append(out)

        threads = [threading.Thread(target=reader, daemon=True) for _ in range(8)]
        for t in threads:
            t.start()
        time.sleep(0.6)
        t_term = time.monotonic()
        status = srv.term()
        time.sleep(0.3)
        stop.set()
        for t in threads:
            t.join(15)
        self.assertEqual(status, 0, "folio exit status after SIGTERM under load\n" + srv.logs())
        before = [r for r in results if r[0] < t_term]
        self.assertGreater(sum(1 for r in before if r[1] == 200), 20,
                           "too few answers before SIGTERM to mean anything")
        self.assertTrue(any(r[1] == 502 for r in results),
                        "no request reached nginx after folio stopped: the test proves nothing")
        bad = [r for r in results if not ((r[1] == 200 and r[2]) or r[1] == 502)]
        self.assertEqual(bad, [], "answers neither a complete 200 nor nginx's 502")
        cut = [line for line in srv.nginx_errors()
               if re.search(r"prematurely closed|upstream sent|timed out|broken pipe",
                            line, re.I)
               and "while sending request to upstream" not in line]
        self.assertEqual(cut, [], "nginx saw requests cut off by folio's stop "
                         "(%d of %d requests were 502):\n%s"
                         % (sum(1 for r in results if r[1] == 502), len(results),
                            "".join(cut[:10])))


# ---------------------------------------------------------------------------
# 5: nginx's micro-cache, as docs/nginx.conf configures it

class MicroCacheTest(CommentClient, unittest.TestCase):
    maxDiff = 4000
    # --base-url, as running.md and nginx.conf say for production: without
    # it pages that carry the Host (article pages, feeds) are sent private.
    server_args = ["--min-submit-seconds", "0", "--comment-rate", "0",
                   "--base-url", "http://localhost"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = FrontServer("socket", cache=True, server_args=cls.server_args,
                                 name="fronts-microcache")
        cls.addClassCleanup(cls.server.stop)
        cls.server.start()

    def request(self, method, path, body=None, headers=None, **kw):
        return self.server.request(method, path, body=body, headers=headers, **kw)

    def get(self, path, headers=None, **kw):
        return self.server.request("GET", path, headers=headers, **kw)

    assertStatus = ServerTestCase.assertStatus

    @staticmethod
    def early_in_a_second():
        """Waits until the wall clock is early in a second: folio's
        X-Accel-Expires keeps an entry to the end of the current second."""
        frac = time.time() % 1.0
        if frac > 0.4:
            time.sleep(1.02 - frac)

    def two_quick_gets(self, path, headers=None):
        """GET twice within one second; the second answer should be a HIT.
        Tries twice (a scheduler hiccup may cross a second)."""
        for _ in range(2):
            self.early_in_a_second()
            a = self.get(path, headers=headers)
            b = self.get(path, headers=headers)
            self.assertStatus(a, 200, "GET %s" % path)
            self.assertStatus(b, 200, "GET %s" % path)
            if b.header("X-Cache") == "HIT":
                break
        return a, b

    def test_second_quick_get_is_a_hit(self):
        for path, title in (("/articles/" + SUMMIT, title_of(SUMMIT)), ("/", title_of(SUMMIT))):
            a, b = self.two_quick_gets(path)
            self.assertEqual(b.header("X-Cache"), "HIT",
                             "GET %s twice within a second: the second is not from nginx's "
                             "cache.\nfirst:\n%s\nsecond:\n%s"
                             % (path, a.describe(0), b.describe(0)))
            self.assertIn(html_text(title), b.text)
            self.assertIsNone(b.header("X-Accel-Expires"), "nginx passes X-Accel-Expires on")

    def test_readers_with_folio_cookies_bypass_the_cache(self):
        path = "/articles/" + SUMMIT
        _, b = self.two_quick_gets(path)
        self.assertEqual(b.header("X-Cache"), "HIT", "the page is not cached at all:\n"
                         + b.describe(0))
        for cookie in ("folio_pending", "comment_author", "folio_session"):
            r = self.get(path, headers={"Cookie": "%s=x" % cookie})
            self.assertStatus(r, 200)
            self.assertEqual(r.header("X-Cache"), "BYPASS",
                             "Cookie %s=x:\n%s" % (cookie, r.describe(0)))

    def test_a_head_answer_is_never_served_to_a_get(self):
        path = "/tags/diplomacy"
        for _ in range(2):
            r = self.request("HEAD", path)
            self.assertStatus(r, 200)
        r = self.get(path)
        self.assertStatus(r, 200)
        self.assertIn(html_text(title_of(SUMMIT)), r.text,
                      "a GET after HEADs got no body:\n" + r.describe())

    def test_an_approved_comment_shows_within_a_second_and_a_half(self):
        path = "/articles/" + SUMMIT
        cid = self.posted_id(self.post(SUMMIT), SUMMIT)
        self.assertEqual(self.status_of(cid), "pending")
        anchor = 'id="comment-%d"' % cid
        _, b = self.two_quick_gets(path)
        self.assertEqual(b.header("X-Cache"), "HIT", "the page is not cached:\n"
                         + b.describe(0))
        self.assertNotIn(anchor, b.text, "a pending comment is shown to everyone")
        # what an approval in the admin area changes (src/store/moderation.c)
        conn = self.db()
        try:
            with conn:
                conn.execute("UPDATE comments SET status = 'approved', "
                             "status_changed_at = CAST(strftime('%s', 'now') AS INTEGER) "
                             "WHERE id = ?", (cid,))
                conn.execute("UPDATE articles SET version = version + 1, updated_at = "
                             "max(updated_at, CAST(strftime('%s', 'now') AS INTEGER)) "
                             "WHERE id = (SELECT article_id FROM comments WHERE id = ?)",
                             (cid,))
        finally:
            conn.close()
        t0 = time.monotonic()
        seen = []
        while True:
            r = self.get(path)
            elapsed = time.monotonic() - t0
            seen.append("%.2fs %s %s" % (elapsed, r.status, r.header("X-Cache")))
            if r.status == 200 and anchor in r.text:
                break
            if elapsed > 1.5:
                self.fail("the approved comment is not on the page %.2fs after the approval "
                          "(polls: %s); last answer:\n%s" % (elapsed, ", ".join(seen),
                                                             r.describe(0)))
            time.sleep(0.05)
        self.assertLessEqual(elapsed, 1.5)


class RawHostServer(FrontServer):
    """nginx with the upstream fastcgi_params, which (unlike Debian's) has no
    HTTP_HOST line: folio gets the Host header as the client sent it, port
    and all, while the cache key has nginx's $host (no port)."""

    def nginx_conf(self):
        with open("/etc/nginx/fastcgi_params", encoding="utf-8") as f:
            params = [line for line in f if not re.match(r"\s*fastcgi_param\s+HTTP_HOST\s", line)]
        path = os.path.join(self.tmp, "fastcgi_params.upstream")
        with open(path, "w", encoding="utf-8") as f:
            f.writelines(params)
        conf = super().nginx_conf()
        assert conf.count("include /etc/nginx/fastcgi_params;") == 1
        return conf.replace("include /etc/nginx/fastcgi_params;", "include %s;" % path)


class MicroCacheHostTest(unittest.TestCase):
    """Issue 9, hole 2: `Host: 127.0.0.1:6666` on /feed.atom was cached under
    the key of a normal request, and the next reader got the poisoned feed."""
    POISON = "127.0.0.1:6666"

    def start(self, *args):
        srv = RawHostServer("socket", cache=True, server_args=list(args),
                            name="fronts-host-%d" % len(args))
        self.addCleanup(srv.stop)
        srv.start()
        return srv

    def poison_then_read(self, srv, path):
        """The poisoned request, then a normal one within the same second
        (an entry lives to the end of its second)."""
        MicroCacheTest.early_in_a_second()
        bad = srv.raw("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                      % (path, self.POISON))
        good = srv.request("GET", path)
        return bad, good

    def test_without_base_url_feeds_are_never_shared(self):
        srv = self.start()
        for path in ("/feed.atom", "/articles/%s/comments.atom" % SUMMIT, "/articles/" + SUMMIT):
            bad, good = self.poison_then_read(srv, path)
            self.assertEqual((bad.status, good.status), (200, 200))
            self.assertIn(self.POISON, bad.text, "folio uses the Host it was given")
            self.assertNotIn(self.POISON, good.text, "GET %s after a poisoned one (X-Cache %s)"
                             % (path, good.header("X-Cache")))
            self.assertIn("private", bad.header("Cache-Control") or "", bad.describe(0))
            self.assertNotEqual(good.header("X-Cache"), "HIT")

    def test_with_base_url_the_host_is_never_used(self):
        srv = self.start("--base-url", "https://news.example.org")
        for path in ("/feed.atom", "/articles/" + SUMMIT):
            bad, good = self.poison_then_read(srv, path)
            self.assertEqual((bad.status, good.status), (200, 200))
            for r in (bad, good):
                self.assertNotIn(self.POISON, r.text)
                self.assertIn("https://news.example.org/", r.text)
                self.assertNotIn("private", r.header("Cache-Control") or "")
        # and the shared copy is used: the base URL made the feed shareable
        for _ in range(2):
            MicroCacheTest.early_in_a_second()
            srv.request("GET", "/feed.atom")
            b = srv.request("GET", "/feed.atom")
            if b.header("X-Cache") == "HIT":
                break
        self.assertEqual(b.header("X-Cache"), "HIT", b.describe(0))


# ---------------------------------------------------------------------------
# 6: WAL

class WalTest(ServerTestCase):

    def test_a_database_a_server_creates_is_wal(self):
        # Only `serve` creates one: `fcgi` refuses a missing database
        # (test_durability.py); `folio init` makes it for production.
        for how in ("serve",):
            srv = FrontServer(how, fresh_db=True, name="fronts-wal-" + how)
            self.addCleanup(srv.stop)
            self.assertFalse(os.path.exists(srv.db))
            srv.start()
            self.assertTrue(os.path.exists(srv.db), "%s made no database file" % how)
            self.assertEqual(journal_mode(srv.db), "wal", "journal_mode of a database "
                             "`folio %s` created" % ("serve" if how == "serve" else "fcgi"))
            self.assertEqual(srv.term(), 0, srv.logs())
            self.assertEqual(journal_mode(srv.db), "wal", "after the server stopped")
        tmp = tempfile.mkdtemp(prefix="folio-it-wal-")
        self.addCleanup(shutil.rmtree, tmp, True)
        db = os.path.join(tmp, "folio.db")
        r = harness.run_folio(["init"], db=db)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(journal_mode(db), "wal", "journal_mode of a database `folio init` made")


# ---------------------------------------------------------------------------
# 7: X-Forwarded-For from the trusted proxy: the rightmost address, every
#    header line counted as one list (as nginx's realip module reads it)

class ForwardedForTest(CommentClient, ServerTestCase):
    ARGS = ["--trusted-proxy", "127.0.0.1", "--min-submit-seconds", "0",
            "--comment-rate", "0"]

    def post_with_lines(self, lines):
        """POSTs a valid comment with one X-Forwarded-For header line per
        entry of `lines`; returns the stored comment's row."""
        srv = self.server
        fields = self.fields()
        fields["token"] = self.token_for(SUMMIT)
        body = urllib.parse.urlencode(fields).encode()
        conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
        try:
            conn.putrequest("POST", srv.path("/articles/%s/comments" % SUMMIT),
                            skip_accept_encoding=True)
            for line in lines:
                conn.putheader("X-Forwarded-For", line)
            conn.putheader("Content-Type", "application/x-www-form-urlencoded")
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            r = conn.getresponse()
            r.read()
        finally:
            conn.close()
        self.assertEqual(r.status, 303, "lines %r" % (lines,))
        rows = self.rows_with_body(fields["comment"])
        self.assertEqual(len(rows), 1)
        return rows[0]

    def check(self, how):
        self.start(how, server_args=self.ARGS)
        cases = [
            # a client's own line ahead of the one the proxy added
            (["203.0.113.66", "198.51.100.7"], "198.51.100.7"),
            (["203.0.113.66, 10.1.2.3", "198.51.100.8"], "198.51.100.8"),
            (["203.0.113.66", "10.0.0.9, 198.51.100.9"], "198.51.100.9"),
            (["198.51.100.10"], "198.51.100.10"),
        ]
        for lines, want in cases:
            with self.subTest(how=how, lines=lines):
                self.assertEqual(self.post_with_lines(lines)["ip"], want)

    def test_http_takes_the_proxys_address(self):
        self.check("serve")

    def test_fcgi_takes_the_proxys_address(self):
        self.check("socket")


# ---------------------------------------------------------------------------
# 8: a 304 (from the page cache too) does not say the page is empty

class NotModifiedTest(ServerTestCase):

    def check(self, how):
        srv = self.start(how)
        for path in ("/articles/" + SUMMIT, "/", "/feed.atom"):
            with self.subTest(how=how, path=path):
                full = srv.request("GET", path)
                self.assertStatus(full, 200)
                etag = full.header("ETag")
                self.assertTrue(etag)
                srv.request("GET", path)    # now certainly from the page cache
                r = srv.raw_request("GET", path, headers={"If-None-Match": etag})
                self.assertStatus(r, 304)
                self.assertEqual(r.after_headers, b"", "a 304 with a body")
                length = r.header("Content-Length")
                # none, or the length of the page it stands for (RFC 9110, 8.6)
                if length is not None:
                    self.assertEqual(int(length), len(full.body),
                                     "Content-Length of a 304 to %s" % path)

    def test_http(self):
        self.check("serve")

    def test_fcgi(self):
        self.check("socket")


# ---------------------------------------------------------------------------
# 9: the access log (combined format)

COMBINED = re.compile(r'^(\S+) - - \[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000)\] '
                      r'"([^"]*)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"$')


class AccessLogTest(ServerTestCase):

    def lines_in(self, path, marker, wait=3.0):
        """The combined-format lines of file `path` that hold `marker`,
        waiting up to `wait` seconds for one."""
        deadline = time.monotonic() + wait
        while True:
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    found = [m for m in map(COMBINED.match, f.read().splitlines())
                             if m and marker in m.group(3)]
            except FileNotFoundError:
                found = []
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def test_serve_logs_each_request_to_stderr(self):
        srv = self.start("serve", server_args=["--trusted-proxy", "127.0.0.1"])
        marker = "x%d" % int(time.time() * 1000)
        path = "/articles/%s?ref=%s" % (SUMMIT, marker)
        r = srv.request("GET", path, headers={
            "Referer": 'https://example.org/"quoted"', "User-Agent": "tester/1.0 (\x7f)",
            "X-Forwarded-For": "192.0.2.44"})
        self.assertStatus(r, 200)
        found = self.lines_in(srv.folio_log, marker)
        self.assertEqual(len(found), 1, srv.logs())
        client, _, request, status, size, referer, agent = found[0].groups()
        self.assertEqual(client, "192.0.2.44")
        self.assertEqual(request, "GET %s HTTP/1.1" % path)
        self.assertEqual((status, int(size)), ("200", len(r.body)))
        self.assertEqual(referer, r"https://example.org/\x22quoted\x22")
        self.assertEqual(agent, r"tester/1.0 (\x7F)")
        # a HEAD sends no body; a 404 is logged too
        srv.request("HEAD", "/?h=" + marker)
        srv.request("GET", "/nowhere-" + marker)
        head = self.lines_in(srv.folio_log, "HEAD /?h=" + marker)
        self.assertEqual([m.group(4, 5) for m in head], [("200", "-")])
        missing = self.lines_in(srv.folio_log, "/nowhere-" + marker)
        self.assertEqual([m.group(4) for m in missing], ["404"])

    def test_serve_to_a_file_or_off(self):
        tmp = tempfile.mkdtemp(prefix="folio-it-access-")
        self.addCleanup(shutil.rmtree, tmp, True)
        logfile = os.path.join(tmp, "access.log")
        srv = self.start("serve", server_args=["--access-log", logfile])
        self.assertStatus(srv.request("GET", "/?to=file"), 200)
        self.assertEqual(len(self.lines_in(logfile, "/?to=file")), 1)
        self.assertEqual(self.lines_in(srv.folio_log, "/?to=file", wait=0), [])
        off = FrontServer("serve", server_args=["--access-log", "off"], name="access-off")
        self.addCleanup(off.stop)
        off.start()
        self.assertStatus(off.request("GET", "/?to=nowhere"), 200)
        time.sleep(0.3)
        self.assertEqual(self.lines_in(off.folio_log, "/?to=nowhere", wait=0), [])

    def test_serve_writes_every_line_whole_by_its_stop(self):
        """Lines wait in per-thread buffers for up to a second: SIGTERM
        right after the requests still leaves each one in the file, whole,
        with its status and the bytes sent."""
        tmp = tempfile.mkdtemp(prefix="folio-it-access-")
        self.addCleanup(shutil.rmtree, tmp, True)
        logfile = os.path.join(tmp, "access.log")
        srv = self.start("serve", server_args=["--access-log", logfile])
        sent = {}
        for i in range(120):
            path = ("/articles/%s?n=%d" % (SUMMIT, i) if i % 3 == 0 else
                    "/nowhere-%d" % i if i % 3 == 1 else "/?n=%d" % i)
            r = srv.request("GET", path)
            sent[path] = (str(r.status), len(r.body))
        self.assertEqual(srv.term(), 0)
        with open(logfile, encoding="utf-8", errors="replace") as f:
            text = f.read()
        self.assertTrue(text.endswith("\n"), "the last line is cut: %r" % text[-200:])
        logged = {}
        for line in text.splitlines():
            m = COMBINED.match(line)
            self.assertIsNotNone(m, "not a whole combined-format line: %r" % line)
            method, _, target = m.group(3).partition(" ")
            logged[target.rsplit(" ", 1)[0]] = (m.group(4), int(m.group(5)))
        self.assertEqual({path: logged.get(path) for path in sent}, sent)

    def test_fcgi_logs_only_when_asked(self):
        tmp = tempfile.mkdtemp(prefix="folio-it-access-")
        self.addCleanup(shutil.rmtree, tmp, True)
        logfile = os.path.join(tmp, "access.log")
        srv = self.start("socket", server_args=["--access-log", logfile])
        r = srv.request("GET", "/articles/%s?via=nginx" % SUMMIT, headers={"User-Agent": "ua/2"})
        self.assertStatus(r, 200)
        found = self.lines_in(logfile, "via=nginx")
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0].group(1, 3, 4, 7), (
            "127.0.0.1", "GET /articles/%s?via=nginx HTTP/1.1" % SUMMIT, "200", "ua/2"))
        # without the option, nginx's own log is enough: nothing from folio
        plain = FrontServer("socket", name="access-fcgi-default")
        self.addCleanup(plain.stop)
        plain.start()
        self.assertStatus(plain.request("GET", "/?quiet=1"), 200)
        time.sleep(0.3)
        self.assertEqual(self.lines_in(plain.folio_log, "/?quiet=1", wait=0), [])


# ---------------------------------------------------------------------------
# 10: slow clients (slowloris) do not keep others out of `folio serve`

SLOW_SOCKETS = 2000
PER_ADDRESS = 40            # slow sockets from each loopback address
ADDRESS_CAP = 256           # front/http.c's PER_ADDRESS_LIMIT
HEAD_DEADLINE = 10          # front/http.c's HEAD_DEADLINE_S


def loopback(i):
    """The i-th loopback address after 127.0.0.1: 127.0.1.2, 127.0.1.3, ..."""
    return "127.0.%d.%d" % (1 + i // 250, 2 + i % 250)


def still_open(s):
    """True while the server has neither closed nor answered the socket."""
    try:
        return s.recv(1, socket.MSG_DONTWAIT | socket.MSG_PEEK) is None
    except BlockingIOError:
        return True
    except OSError:
        return False


class SlowClientsTest(ServerTestCase):

    def setUp(self):
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        need = SLOW_SOCKETS + 500
        if soft < need:
            if hard != resource.RLIM_INFINITY and hard < need:
                self.skipTest("RLIMIT_NOFILE hard limit %d < %d" % (hard, need))
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
            self.addCleanup(resource.setrlimit, resource.RLIMIT_NOFILE, (soft, hard))

    def slow_socket(self, srv, addr):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(s.close)
        s.bind((addr, 0))
        s.connect((srv.host, srv.port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: slow\r\n")     # and never the end of it
        return s

    def test_2000_slow_sockets_while_others_are_served(self):
        srv = self.start("serve")
        socks = [self.slow_socket(srv, loopback(i // PER_ADDRESS)) for i in range(SLOW_SOCKETS)]
        started = time.monotonic()
        time.sleep(0.5)
        # ordinary clients (from 127.0.0.1, an address of their own) are served
        for _ in range(20):
            t0 = time.monotonic()
            r = srv.request("GET", "/articles/" + SUMMIT, timeout=5)
            self.assertStatus(r, 200)
            self.assertLess(time.monotonic() - t0, 2.0, "a GET took too long")
        closed = sum(1 for s in socks if not still_open(s))
        self.assertEqual(closed, 0, "%d of %d slow sockets were dropped at once"
                         % (closed, SLOW_SOCKETS))
        # one address gets ADDRESS_CAP connections, no more
        crowd = [self.slow_socket(srv, "127.0.200.1") for _ in range(ADDRESS_CAP + 16)]
        time.sleep(0.5)
        self.assertEqual(sum(1 for s in crowd if still_open(s)), ADDRESS_CAP)
        self.assertStatus(srv.request("GET", "/healthz", timeout=5), 200)
        # a head that never ends is cut at the deadline, however steadily its
        # bytes come (each one would reset the 30 s idle timeout)
        drip = socks[:50]
        while time.monotonic() - started < HEAD_DEADLINE + 2.5:
            for s in drip:
                if still_open(s):
                    try:
                        s.send(b"X")
                    except OSError:
                        pass
            time.sleep(0.5)
        self.assertEqual([s for s in drip if still_open(s)], [],
                         "slow heads still open after the deadline")
        self.assertStatus(srv.request("GET", "/healthz", timeout=5), 200)
        # refusals and cut connections went to the log at most once a second
        errors = [l for l in srv.logs(limit=10**6).splitlines() if "folio error: http:" in l]
        seconds = [l.split(" ", 1)[0] for l in errors]
        self.assertEqual(len(seconds), len(set(seconds)), "\n".join(errors[:20]))
        # a stop waits for a request whose head has begun, but not beyond
        # its head deadline
        self.assertEqual(srv.term(timeout=HEAD_DEADLINE + STOP_WITHIN), 0, srv.logs())


# ---------------------------------------------------------------------------
# folio fcgi writes a cached page's head from a copy made with the page's
# first answer: the head must still be made for each answer

def coarse_seconds():
    """The second as folio's time() sees it. glibc's time() reads the
    kernel's coarse clock, which turns a tick (a few ms) after the precise
    one that time.time() reads: a request sent at 588.001 by time.time()
    may be answered in second 587. Python does not name the clock: 5 is
    CLOCK_REALTIME_COARSE on Linux."""
    return int(time.clock_gettime(getattr(time, "CLOCK_REALTIME_COARSE", 5)))


class FcgiCachedHeadTest(ServerTestCase):
    fcgi_params_for = GracefulStopTest.fcgi_params_for
    fcgi_connect = GracefulStopTest.fcgi_connect

    def fcgi_get(self, srv, method, path):
        """(second before, second after, status, header lines, headers, body)."""
        s = self.fcgi_connect(srv)
        before = coarse_seconds()
        s.sendall(fcgi_begin() + fcgi_params(self.fcgi_params_for(srv, method, path))
                  + fcgi_record(FCGI_STDIN, b""))
        stdout, _ = fcgi_read_response(s, 10)
        after = coarse_seconds()
        s.close()
        status, headers, body = cgi_response(stdout)
        lines = stdout.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
        return before, after, status, lines, headers, body

    def test_each_answer_has_its_own_second_and_the_same_headers(self):
        """The front page (the same kept page from one second to the next)
        and an article (a new page each second, for its form's token), from
        the page cache: X-Accel-Expires is the second the answer was made in,
        every time; the other header lines and their order are those of the
        first answer; Content-Length is the body's; HEAD has the same head.
        Without --base-url an article is private: never an X-Accel-Expires."""
        shared = self.start("socket", server_args=["--base-url", "http://localhost"])
        self.check_heads(shared, "/", True)
        self.check_heads(shared, "/articles/" + SUMMIT, True)
        private = FrontServer("socket", name="cachedhead-private")
        self.addCleanup(private.stop)
        private.start()
        self.check_heads(private, "/articles/" + SUMMIT, False)

    def check_heads(self, srv, path, shareable):
        seconds, first = set(), None
        for i in range(4):
            if i:
                time.sleep(0.45)
            before, after, status, lines, headers, body = self.fcgi_get(srv, "GET", path)
            self.assertEqual(status, 200, "GET %s:\n%s" % (path, "\n".join(lines)))
            expires = [l for l in lines if l.startswith("X-Accel-Expires: ")]
            if not shareable:
                self.assertEqual(expires, [], "GET %s:\n%s" % (path, "\n".join(lines)))
                self.assertIn("private", headers.get("Cache-Control"))
            else:
                self.assertEqual(len(expires), 1, "GET %s:\n%s" % (path, "\n".join(lines)))
                m = re.fullmatch(r"X-Accel-Expires: @(\d+)", expires[0])
                self.assertTrue(m, expires[0])
                self.assertTrue(before <= int(m.group(1)) <= after,
                                "GET %s between %d and %d: %s"
                                % (path, before, after, expires[0]))
                seconds.add(int(m.group(1)))
                self.assertEqual(lines[1], expires[0], "X-Accel-Expires comes first")
            self.assertEqual(int(headers.get("Content-Length")), len(body), path)
            self.assertIn(html_text(title_of(SUMMIT)).encode(), body)
            # the same lines but X-Accel-Expires (a page with a new token
            # has the same length, ETag and Last-Modified)
            same = [l for l in lines if not l.startswith("X-Accel-Expires: ")]
            if first is None:
                first = same
            self.assertEqual(same, first, "GET %s: another head than the first" % path)
            _, _, hstatus, hlines, _, hbody = self.fcgi_get(srv, "HEAD", path)
            self.assertEqual(hstatus, 200)
            self.assertEqual(hbody, b"")
            self.assertEqual([l for l in hlines if not l.startswith("X-Accel-Expires: ")],
                             first, "HEAD %s" % path)
        if shareable:
            self.assertGreater(len(seconds), 1, "four GETs over 1.35 s all in one second?")


# ---------------------------------------------------------------------------
# folio serve's connection memory (libmicrohttpd's pool, zeroed after every
# request) holds a target at folio's limit with a browser's worth of headers

class LongRequestHeadTest(ServerTestCase):
    LIMIT_TARGET_BYTES = 8192   # src/core/http.h

    def test_a_target_at_the_limit_with_big_headers_reaches_folio(self):
        """A target of LIMIT_TARGET_BYTES, and one a byte over, each with
        8 KiB of cookies and the headers a browser sends: folio itself
        answers (its 404 page; its 414, "The address is too long."), not
        libmicrohttpd for want of memory."""
        srv = self.start("serve")
        headers = {
            "Cookie": "; ".join("c%02d=%s" % (i, "v" * 250) for i in range(33)),
            "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
                          "Gecko) Chrome/120.0.0.0 Safari/537.36",
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,"
                      "image/webp,*/*;q=0.8",
            "Accept-Language": "en-GB,en;q=0.9,de;q=0.8,fr;q=0.7",
            "Referer": "https://example.org/" + "r" * 1000,
        }
        self.assertGreater(len(headers["Cookie"]), 8192)
        at_limit = "/articles/" + "a" * (self.LIMIT_TARGET_BYTES - len("/articles/"))
        r = srv.request("GET", at_limit, headers=headers)
        self.assertStatus(r, 404, "a target of %d bytes" % len(at_limit))
        self.assertIn("<html", r.text)
        r = srv.request("GET", at_limit + "a", headers=headers)
        self.assertStatus(r, 414, "a target of %d bytes" % (len(at_limit) + 1))
        self.assertIn("The address is too long.", r.text)
        self.assertStatus(srv.request("GET", "/healthz"), 200)


if __name__ == "__main__":
    unittest.main()
