"""Integration test harness for folio.

Starts a real folio server for a test class and talks to it over real sockets.

Environment:
  FOLIO_BIN    path of the folio binary (required)
  FOLIO_FRONT  "http" (folio serve, libmicrohttpd) or "fcgi" (folio fcgi behind
               a real nginx started by the harness); default "http"
  FOLIO_WWW    www/ directory for nginx's /static/ (and passed to folio with
               --www); default: the repository's www/, found from this file
  FOLIO_NGINX  nginx binary (default: nginx on PATH, else /usr/sbin/nginx)
  FOLIO_KEEP_TMP=1  keep each class's temporary directory

Use FolioTestCase as the base class: one server per class (setUpClass), stopped
in a class cleanup (SIGTERM, exit code 0 asserted). Class attributes tune the
server: fixtures, demo, base_path, server_args, front.
"""

import atexit
import contextlib
import ctypes
import email.message
import glob
import hashlib
import html.parser
import http.client
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FIXTURES_DIR = os.path.join(HERE, "fixtures")

START_TIMEOUT = 10.0
POLL_INTERVAL = 0.02
STOP_TIMEOUT = 10.0
REQUEST_TIMEOUT = 10.0

# ---------------------------------------------------------------------------
# Environment

def folio_bin():
    path = os.environ.get("FOLIO_BIN")
    if not path:
        raise RuntimeError("FOLIO_BIN is not set: point it at the folio binary "
                           "(e.g. FOLIO_BIN=build/folio)")
    path = os.path.abspath(path)
    if not os.access(path, os.X_OK):
        raise RuntimeError("FOLIO_BIN=%s is not an executable file" % path)
    return path


def front_from_env():
    front = os.environ.get("FOLIO_FRONT", "http")
    if front not in ("http", "fcgi"):
        raise RuntimeError("FOLIO_FRONT must be 'http' or 'fcgi', not %r" % front)
    return front


def www_dir():
    return os.path.abspath(os.environ.get("FOLIO_WWW") or os.path.join(REPO, "www"))


def nginx_bin():
    env = os.environ.get("FOLIO_NGINX")
    if env:
        return env
    return shutil.which("nginx") or "/usr/sbin/nginx"


_ports_given = set()


def free_port():
    """A port nobody listens on right now (bind to 0, read it, release it),
    never one this process gave out before: the servers it is for bind
    later, so the kernel may hand the same free port out twice meanwhile."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _ports_given:
            _ports_given.add(port)
            return port


def fixture_paths():
    return sorted(glob.glob(os.path.join(FIXTURES_DIR, "*.md")))

# ---------------------------------------------------------------------------
# Child processes: never leave one running.

_live = set()


def _child_setup():
    # Die with the test runner even if it is killed with SIGKILL.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


# setpriv (util-linux, on every Debian) sets the same death signal and execs
# the command. A preexec_fn made Python fork its whole process and run
# Python code in the child: some 25 ms of CPU a spawn, against 8 through
# setpriv, which Python starts with vfork (measured on the 2-core machine;
# the suites spawn a few thousand commands, servers and nginx).
_SETPRIV = shutil.which("setpriv")


def spawn(args, **kw):
    kw.setdefault("stdin", subprocess.DEVNULL)
    if _SETPRIV:
        proc = subprocess.Popen([_SETPRIV, "--pdeathsig", "KILL", "--"] + list(args),
                                start_new_session=True, **kw)
    else:
        proc = subprocess.Popen(args, preexec_fn=_child_setup, start_new_session=True, **kw)
    _live.add(proc)
    return proc


def _kill_group(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            proc.send_signal(sig)
        except ProcessLookupError:
            pass


def _reap(proc):
    _live.discard(proc)


@atexit.register
def _kill_all():
    for proc in list(_live):
        if proc.poll() is None:
            _kill_group(proc, signal.SIGKILL)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        _live.discard(proc)


# ---------------------------------------------------------------------------
# PostgreSQL: with FOLIO_PG set (the URI of a cluster's maintenance database,
# from tests/pg/cluster.sh, which ctest starts as a fixture), every server
# gets a new database of its own in that cluster instead of a SQLite file.

def pg_cluster():
    return os.environ.get("FOLIO_PG") or None


def on_postgres():
    return pg_cluster() is not None


class _Libpq:
    """libpq through ctypes: one connection per URI, kept for the run (a
    psql process per query made the PostgreSQL suites several times slower
    than SQLite's). libpq5 comes with libpq-dev, which the build needs."""

    def __init__(self):
        import ctypes
        import ctypes.util
        import threading
        c = ctypes
        lib = c.CDLL(ctypes.util.find_library("pq") or "libpq.so.5")
        for name, res, args in (
                ("PQconnectdb", c.c_void_p, [c.c_char_p]),
                ("PQstatus", c.c_int, [c.c_void_p]),
                ("PQerrorMessage", c.c_char_p, [c.c_void_p]),
                ("PQfinish", None, [c.c_void_p]),
                ("PQexec", c.c_void_p, [c.c_void_p, c.c_char_p]),
                ("PQexecParams", c.c_void_p, [c.c_void_p, c.c_char_p, c.c_int, c.c_void_p,
                                              c.POINTER(c.c_char_p), c.c_void_p, c.c_void_p,
                                              c.c_int]),
                ("PQresultStatus", c.c_int, [c.c_void_p]),
                ("PQntuples", c.c_int, [c.c_void_p]),
                ("PQnfields", c.c_int, [c.c_void_p]),
                ("PQgetvalue", c.c_char_p, [c.c_void_p, c.c_int, c.c_int]),
                ("PQclear", None, [c.c_void_p])):
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = res, args
        self.lib, self.ctypes = lib, c
        self.conns = {}
        self.lock = threading.Lock()

    def _connect(self, uri):
        conn = self.lib.PQconnectdb(uri.encode())
        if self.lib.PQstatus(conn) != 0:        # CONNECTION_OK
            message = self.lib.PQerrorMessage(conn).decode(errors="replace")
            self.lib.PQfinish(conn)
            raise RuntimeError("PostgreSQL: cannot connect to %s: %s" % (uri, message))
        return conn

    def _run(self, conn, sql, params):
        if not params:
            return self.lib.PQexec(conn, sql.encode())
        values = (self.ctypes.c_char_p * len(params))(
            *[None if v is None else v.encode() for v in params])
        return self.lib.PQexecParams(conn, sql.encode(), len(params), None, values,
                                     None, None, 0)

    def query(self, uri, sql, params=()):
        """Runs sql (one statement when params are given, $1... for them,
        text or None) and returns its rows as lists of text; a statement
        that fails raises. A connection the server dropped (a restarted
        cluster, a dropped database) is opened again once."""
        with self.lock:
            for attempt in (1, 2):
                conn = self.conns.get(uri)
                if conn is None:
                    conn = self.conns[uri] = self._connect(uri)
                res = self._run(conn, sql, params)
                status = self.lib.PQresultStatus(res) if res else 7
                if status in (1, 2):            # PGRES_COMMAND_OK, PGRES_TUPLES_OK
                    rows = [[self.lib.PQgetvalue(res, r, f).decode()
                             for f in range(self.lib.PQnfields(res))]
                            for r in range(self.lib.PQntuples(res))]
                    self.lib.PQclear(res)
                    return rows
                message = self.lib.PQerrorMessage(conn).decode(errors="replace")
                if res:
                    self.lib.PQclear(res)
                if self.lib.PQstatus(conn) != 0 and attempt == 1:
                    self.lib.PQfinish(conn)
                    del self.conns[uri]
                    continue
                raise RuntimeError("PostgreSQL failed: %s\n%s" % (message, sql))

    def forget(self, uri):
        """Closes the connection to uri, if one is open (before its
        database is dropped)."""
        with self.lock:
            conn = self.conns.pop(uri, None)
            if conn is not None:
                self.lib.PQfinish(conn)


_libpq = None


def _pg_query(uri, sql, params=()):
    global _libpq
    if _libpq is None:
        _libpq = _Libpq()
    return _libpq.query(uri, sql, params)


def pg_database_uri(name):
    """The cluster's URI with database `name` instead of its maintenance one."""
    return re.sub(r"^(postgres(?:ql)?://[^/]*/)[^?]*", lambda m: m.group(1) + name, pg_cluster())


def pg_create_database(name, template=None):
    _pg_query(pg_cluster(), 'CREATE DATABASE "%s"%s'
              % (name, ' TEMPLATE "%s"' % template if template else ""))
    return pg_database_uri(name)


_server_template = None


def pg_server_template():
    """A database in the cluster holding the schema as `folio init` makes
    it, without the secret that init also makes; a server's database is
    copied from it (CREATE DATABASE ... TEMPLATE), and its own `folio init`
    (prepare_db) then finds every migration applied and makes the site's
    own secret. Running sql/pg's migrations once per server cost the
    cluster some 0.25 s of CPU for each of the PostgreSQL suites' ~180
    servers; they still run whole here, once per cluster, and on the
    untouched databases of test_cli (pg_cli). Named by sql/pg's files and
    the folio binary, so that a cluster kept between runs never hands out
    an old schema; made by whichever test process asks first, the others
    finding it ready under its final name (a rename is atomic)."""
    global _server_template
    if _server_template:
        return _server_template
    digest = hashlib.sha1()
    for path in sorted(glob.glob(os.path.join(REPO, "sql", "pg", "*.sql"))):
        with open(path, "rb") as f:
            digest.update(path.encode() + b"\0" + f.read())
    digest.update(("%s %d" % (folio_bin(), os.stat(folio_bin()).st_mtime_ns)).encode())
    name = "folio_template_" + digest.hexdigest()[:16]
    ready = "SELECT 1 FROM pg_database WHERE datname = $1"
    if not _pg_query(pg_cluster(), ready, (name,)):
        building = "%s_%d" % (name, os.getpid())
        try:
            uri = pg_create_database(building)
            www = ["--www", www_dir()] if os.environ.get("FOLIO_WWW") else []
            r = run_folio(["init"] + www, db=uri)
            if r.returncode != 0:
                raise RuntimeError("folio init (the servers' template database) failed "
                                   "(exit %d):\n%s%s" % (r.returncode, r.stdout, r.stderr))
            _pg_query(uri, "DELETE FROM settings WHERE key = 'secret'")
            _libpq.forget(uri)
            # nobody connects to a template (CREATE DATABASE would wait for them)
            _pg_query(pg_cluster(), 'ALTER DATABASE "%s" WITH ALLOW_CONNECTIONS false'
                      % building)
            try:
                _pg_query(pg_cluster(), 'ALTER DATABASE "%s" RENAME TO "%s"' % (building, name))
            except RuntimeError:
                if not _pg_query(pg_cluster(), ready, (name,)):
                    raise       # not because another process was first
        finally:
            _pg_query(pg_cluster(), 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % building)
    _server_template = name
    return name


def pg_drop_database(name):
    if _libpq is not None:
        _libpq.forget(pg_database_uri(name))
    _pg_query(pg_cluster(), 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)


class Row(tuple):
    """A row as sqlite3 gives it (a tuple), whose columns may also be read
    by name, as sqlite3.Row's."""

    def __new__(cls, pairs):
        row = super().__new__(cls, [v for _, v in pairs])
        row.names = [k for k, _ in pairs]
        return row

    def __getitem__(self, key):
        if isinstance(key, str):
            key = self.names.index(key)
        return tuple.__getitem__(self, key)

    def keys(self):
        return list(self.names)


class _Rows:
    def __init__(self, rows, lastrowid=None):
        self.rows = rows
        self.lastrowid = lastrowid

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self):
        return self.rows

    def __iter__(self):
        return iter(self.rows)


class PgDatabase:
    """The little of sqlite3's connection the tests use, on PostgreSQL
    through libpq: execute(sql, params) with ? placeholders, rows by name or
    position with their types (row_to_json), `with` as a no-op. Each
    statement commits on its own."""

    def __init__(self, uri):
        self.uri = uri

    def execute(self, sql, params=()):
        parts = sql.split("?")
        if len(parts) - 1 != len(params):
            raise ValueError("%d placeholders, %d parameters" % (len(parts) - 1, len(params)))
        text = parts[0]
        for i, part in enumerate(parts[1:]):
            v = params[i]
            text += ("decode($%d, 'hex')" if isinstance(v, bytes) else "$%d") % (i + 1) + part
        values = [None if v is None else v.hex() if isinstance(v, bytes) else str(v)
                  for v in params]
        if re.match(r"\s*(SELECT|WITH)\b", text, re.I):
            return _Rows(self._rows("SELECT row_to_json(r) FROM (%s) r" % text, values))
        if re.match(r"\s*INSERT\b", text, re.I):     # sqlite3's lastrowid: the new id
            rows = self._rows("WITH r AS (%s RETURNING *) SELECT row_to_json(r) FROM r" % text,
                              values)
            return _Rows([], rows[-1]["id"] if rows and "id" in rows[-1].names else None)
        _pg_query(self.uri, text, values)
        return _Rows([])

    def _rows(self, sql, values):
        import json
        return [json.loads(row[0], object_pairs_hook=Row)
                for row in _pg_query(self.uri, sql, values)]

    def executemany(self, sql, rows):
        for params in rows:
            self.execute(sql, params)

    def commit(self):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def is_pg_uri(db):
    return re.match(r"postgres(ql)?://", db) is not None


def database(server, timeout=30, rows_by_name=False):
    """A connection to the server's database (a FolioServer, or a --db
    value), whichever it is: sqlite3's, or PgDatabase's on PostgreSQL (rows
    are tuples; by name too on PostgreSQL, and on SQLite with rows_by_name)."""
    db = getattr(server, "db", server)
    if is_pg_uri(db):
        return PgDatabase(db)
    import sqlite3
    conn = sqlite3.connect(db, timeout=timeout)
    if rows_by_name:
        conn.row_factory = sqlite3.Row
    return conn


def scratch_database(case, tmpdir, name, template=None):
    """A --db for a database of the test's own, besides its server's: a file
    in tmpdir, or on PostgreSQL a new database in the cluster (a copy of
    `template` when given); dropped when the test ends."""
    if not on_postgres():
        return os.path.join(tmpdir, name + ".db")
    pg_name = "t_" + re.sub(r"\W", "_", os.path.basename(tmpdir.rstrip("/")) + "_" + name).lower()
    uri = pg_create_database(pg_name, template=template)
    case.addCleanup(pg_drop_database, pg_name)
    return uri


# A change made beside a server (a test's own SQL, the CLI, another host)
# shows through it at once on SQLite, where every process reads the file's
# wal-index; on PostgreSQL the news comes by NOTIFY, and CONTRACT.md
# ("Storage") promises it within a second. Only the host that made a change
# shows it at once there.
CHANGE_WITHIN = 1.0


def eventually(check):
    """check()'s value once true: at once on SQLite (asked once); on
    PostgreSQL asked again every 20 ms for up to CHANGE_WITHIN seconds.
    Returns the last value, false if it never turned true, for the
    caller's assertion to say what was missing."""
    deadline = time.monotonic() + (CHANGE_WITHIN if on_postgres() else 0)
    while True:
        value = check()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(0.02)


def change_beside(server, change, slug):
    """Runs change() (a write to server's database made beside it, which
    moves the version of article `slug` on) and returns once the server has
    heard of it, so that what follows may expect every page to show it at
    once: on PostgreSQL, once the article's page has a new ETag, which it
    can only have once the notification came (the page was served just
    before, and kept); asserted to happen within CHANGE_WITHIN seconds."""
    if not on_postgres():
        change()
        return
    before = server.request("GET", "/articles/" + urllib.parse.quote(slug))
    change()
    if before.status != 200:
        return      # not a page readers see: nothing kept to wait for
    if not eventually(lambda: server.request("GET", "/articles/" + urllib.parse.quote(slug))
                      .header("ETag") != before.header("ETag")):
        raise AssertionError("a change to %s beside the server did not show through it "
                             "within %ss" % (slug, CHANGE_WITHIN))


def sqlite_only(reason):
    """Skips a test that reads or damages the SQLite file itself when the
    suite runs against PostgreSQL."""
    return unittest.skipIf(on_postgres(), "SQLite's file: " + reason)


def run_folio(args, db=None, input=None, timeout=30, cwd=None, env=None):
    """Runs `folio ARGS [--db DB]` to completion; returns CompletedProcess
    with text stdout/stderr."""
    cmd = [folio_bin()] + list(args)
    if db is not None:
        cmd += ["--db", db]
    proc = spawn(cmd, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env)
    try:
        out, err = proc.communicate(input.encode() if isinstance(input, str) else input,
                                    timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc, signal.SIGKILL)
        out, err = proc.communicate()
        _reap(proc)
        raise AssertionError("%s did not finish within %ss\nstdout:\n%s\nstderr:\n%s"
                             % (" ".join(cmd), timeout, out.decode("utf-8", "replace"),
                                err.decode("utf-8", "replace")))
    _reap(proc)
    return subprocess.CompletedProcess(cmd, proc.returncode,
                                       out.decode("utf-8", "replace"),
                                       err.decode("utf-8", "replace"))

# ---------------------------------------------------------------------------
# Responses

class Response:
    """status, reason, headers (case-insensitive: resp.headers['etag'],
    resp.header('ETag'), resp.headers.get_all('Set-Cookie')), body (bytes),
    text (str)."""

    def __init__(self, status, reason, headers, body, raw=None, after_headers=None):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.raw = raw                      # raw(): every byte received
        self.after_headers = after_headers  # raw(): bytes after the blank line

    def header(self, name, default=None):
        return self.headers.get(name, default)

    @property
    def set_cookies(self):
        return self.headers.get_all("Set-Cookie") or []

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def html(self):
        return parse_html(self.text)

    def header_items(self):
        return list(self.headers.items())

    def __repr__(self):
        return "<Response %s %s, %d bytes>" % (self.status, self.reason, len(self.body))

    def describe(self, limit=2000):
        """For assertion messages."""
        hdrs = "".join("%s: %s\n" % kv for kv in self.headers.items())
        return "HTTP %s %s\n%s\n%s" % (self.status, self.reason, hdrs,
                                       self.text[:limit])


def _parse_headers(block):
    return http.client.parse_headers(io.BytesIO(block + b"\r\n"))


def _dechunk(data):
    """Decodes a chunked body; returns (body, complete)."""
    out = bytearray()
    pos = 0
    while True:
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            return bytes(out), False
        size_field = data[pos:eol].split(b";")[0].strip()
        try:
            size = int(size_field, 16)
        except ValueError:
            return bytes(out), False
        pos = eol + 2
        if size == 0:
            # trailers, then CRLF
            end = data.find(b"\r\n\r\n", pos - 2)
            return bytes(out), end >= 0
        if len(data) < pos + size + 2:
            out += data[pos:pos + size]
            return bytes(out), False
        out += data[pos:pos + size]
        pos += size + 2


def _parse_raw(data, method):
    """Parses what raw() read. Returns (Response or None, complete)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None, False
    head = data[:end]
    rest = data[end + 4:]
    lines = head.split(b"\r\n")
    m = re.match(rb"HTTP/\d\.\d (\d{3})(?: (.*))?$", lines[0])
    if not m:
        raise AssertionError("not an HTTP status line: %r" % lines[0][:200])
    status = int(m.group(1))
    reason = (m.group(2) or b"").decode("latin-1")
    headers = _parse_headers(b"\r\n".join(lines[1:]) + (b"\r\n" if len(lines) > 1 else b""))
    bodiless = method == "HEAD" or status in (204, 304) or 100 <= status < 200
    if bodiless:
        body, complete = rest, False  # keep reading a moment: nothing may follow
    elif "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        body, complete = _dechunk(rest)
    elif headers.get("Content-Length") is not None:
        n = int(headers.get("Content-Length"))
        body, complete = rest[:n], len(rest) >= n
    else:
        body, complete = rest, False  # until EOF
    return Response(status, reason, headers, body, raw=data, after_headers=rest), complete

# ---------------------------------------------------------------------------
# A tiny DOM, enough to assert on what a reader sees.

VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                 "meta", "param", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag = tag
        self.attrs = {}
        for k, v in attrs:
            self.attrs.setdefault(k, v if v is not None else "")
        self.parent = parent
        self.children = []

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    @property
    def id(self):
        return self.attrs.get("id")

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag=None, id=None, **attrs):
        """Elements below (and including) this one, in document order.
        attrs: attribute values to match; class_ for class; True matches any value."""
        found = []
        for n in self.iter():
            if n.tag is None:
                continue
            if tag is not None and n.tag != tag:
                continue
            if id is not None and n.attrs.get("id") != id:
                continue
            ok = True
            for k, v in attrs.items():
                k = k.rstrip("_").replace("_", "-")
                if v is True:
                    ok = k in n.attrs
                else:
                    ok = n.attrs.get(k) == v
                if not ok:
                    break
            if ok:
                found.append(n)
        return found

    def find(self, tag=None, id=None, **attrs):
        r = self.find_all(tag, id, **attrs)
        return r[0] if r else None

    def text(self):
        parts = []
        for n in self._texts():
            parts.append(n)
        return "".join(parts)

    def _texts(self):
        for c in self.children:
            if isinstance(c, Node):
                yield from c._texts()
            else:
                yield c

    def norm_text(self):
        """Text with runs of whitespace as one space, trimmed."""
        return re.sub(r"\s+", " ", self.text()).strip()

    def ancestors(self):
        p = self.parent
        while p is not None:
            yield p
            p = p.parent

    def is_inside(self, other):
        return any(a is other for a in self.ancestors())

    def links(self):
        """(href, text) of every <a href> in document order."""
        return [(a.get("href"), a.norm_text()) for a in self.find_all("a") if "href" in a.attrs]

    def __repr__(self):
        return "<%s %s>" % (self.tag, " ".join('%s="%s"' % kv for kv in self.attrs.items()))


class _TreeBuilder(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node(None, [], None)
        self.stack = [self.root]
        self.errors = []

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID_ELEMENTS:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return
        self.errors.append("stray </%s>" % tag)

    def handle_data(self, data):
        self.stack[-1].children.append(data)


# The one <script> folio writes: the JSON-LD data block in <head>, which is
# never executed (src/pages/article_meta.c).
SCRIPT_BUT_JSON_LD = r'(?i)<script(?! type="application/ld\+json">)'


def executable_scripts(doc):
    """The <script> elements of a page other than folio's JSON-LD data block."""
    return [s for s in doc.find_all("script") if s.get("type") != "application/ld+json"
            or s.parent is None or s.parent.tag != "head"]


def parse_html(text):
    b = _TreeBuilder()
    b.feed(text)
    b.close()
    return b.root

# ---------------------------------------------------------------------------
# nginx: in front of one folio fcgi (FolioServer's fcgi front), or in front of
# several folio hosts as one upstream (FolioUpstream).

def nginx_config(tmp, host, port, base_path, www, pass_line, fastcgi, upstream="",
                 log_format=None):
    """nginx.conf for a server on host:port in tmp: static files from www,
    the rest of base_path/ passed on by `pass_line` (fastcgi_pass ... with
    fastcgi=True, else proxy_pass ...); `upstream` is put in http {}, and
    the access log has `log_format` when given."""
    bp = base_path
    static = www.rstrip("/") + "/static/"
    user = "user root;\n" if os.geteuid() == 0 else ""
    if fastcgi:
        passing = """include /etc/nginx/fastcgi_params;
            fastcgi_param HTTPS $https if_not_empty;"""
    else:
        # the client's own X-Forwarded-For, as fastcgi_params passes it, so
        # that a test's made-up client addresses reach folio the same way on
        # both fronts (a real site sets $proxy_add_x_forwarded_for)
        passing = """proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For $http_x_forwarded_for;
            proxy_buffering on;"""
    return f"""# generated by tests/integration/harness.py
{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log info;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    {"log_format folio '%s';" % log_format if log_format else ""}
    access_log {tmp}/nginx-access.log{" folio" if log_format else ""};
    client_body_temp_path {tmp}/nginx/body;
    fastcgi_temp_path {tmp}/nginx/fastcgi;
    proxy_temp_path {tmp}/nginx/proxy;
    uwsgi_temp_path {tmp}/nginx/uwsgi;
    scgi_temp_path {tmp}/nginx/scgi;
    client_max_body_size 2m;
    server_tokens off;
{upstream}
    server {{
        listen {host}:{port};
        server_name localhost;
        location {bp}/static/ {{
            alias {static};
        }}
        location {bp}/ {{
            {passing}
            {pass_line}
        }}
    }}
}}
"""


# The pass lines of docs/nginx.conf: an upstream whose connections nginx
# keeps open between requests.
FCGI_KEPT_PASS = "fastcgi_pass folio_fcgi;\n            fastcgi_keep_conn on;"


def start_nginx(tmp, error_log, conf_text):
    """Starts nginx with conf_text in tmp; returns (process, its output file)."""
    os.makedirs(os.path.join(tmp, "nginx"), exist_ok=True)
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write(conf_text)
    cmd = [nginx_bin(), "-p", tmp + "/", "-e", error_log, "-c", conf, "-g", "daemon off;"]
    out = open(os.path.join(tmp, "nginx.stderr"), "ab")
    return spawn(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=tmp), out

# ---------------------------------------------------------------------------
# The server

class FolioServer:
    """One folio (and for the fcgi front, one nginx) in its own temp dir.

    server = FolioServer(front="http", fixtures=[...], base_path="", server_args=[])
    server.start(); server.request("GET", "/"); server.stop()
    """

    def __init__(self, front=None, fixtures=None, demo=False, base_path="",
                 server_args=(), name="folio", db=None):
        self.front = front or front_from_env()
        self.fixtures = list(fixture_paths() if fixtures is None else fixtures)
        self.demo = demo
        self.base_path = base_path.rstrip("/")
        self.server_args = list(server_args)
        self.bin = folio_bin()
        self.tmp = tempfile.mkdtemp(prefix="folio-it-%s-" % re.sub(r"\W", "", name)[:20])
        self.db = os.path.join(self.tmp, "folio.db")
        self.pg_name = None
        self.shared_db = db is not None     # another server's: not made or dropped here
        if db is not None:
            self.db = db
        elif on_postgres():
            self.pg_name = "t_" + re.sub(r"\W", "_", os.path.basename(self.tmp)).lower()
            self.db = pg_create_database(self.pg_name, template=pg_server_template())
        self.www = www_dir()
        self.port = None
        self.host = "127.0.0.1"
        self.folio = None
        self.nginx = None
        self.folio_log = os.path.join(self.tmp, "folio.stderr")
        self.nginx_log = os.path.join(self.tmp, "nginx-error.log")
        self.stopped = False

    # -- set up -------------------------------------------------------------

    def www_args(self):
        return ["--www", self.www] if os.environ.get("FOLIO_WWW") else []

    def prepare_db(self):
        args = ["init"] + (["--demo"] if self.demo else [])
        r = run_folio(args + self.www_args(), db=self.db)
        if r.returncode != 0:
            raise RuntimeError("folio %s failed (exit %d):\n%s%s"
                               % (" ".join(args), r.returncode, r.stdout, r.stderr))
        if self.fixtures:
            r = run_folio(["article", "import"] + self.fixtures, db=self.db)
            if r.returncode != 0:
                raise RuntimeError("folio article import failed (exit %d):\n%s%s"
                                   % (r.returncode, r.stdout, r.stderr))

    def start(self):
        with self.stopped_if_failing():
            self.prepare_db()
            self.port = free_port()
            if self.front == "http":
                self._start_folio(["serve", "--listen", "%s:%d" % (self.host, self.port)])
            else:
                self.socket_path = os.path.join(self.tmp, "folio.sock")
                self._start_folio(["fcgi", "--socket", self.socket_path])
                self._start_nginx()
            self._wait_ready()
        return self

    @contextlib.contextmanager
    def stopped_if_failing(self):
        """For a start(): whatever fails inside stops what had started
        (folio, nginx, the temp dir, the database), then goes on up."""
        try:
            yield
        except BaseException:
            try:
                self.stop(check=False)
            except Exception:
                pass
            raise

    def _start_folio(self, args):
        cmd = [self.bin] + args + ["--db", self.db]
        if self.base_path:
            cmd += ["--base-path", self.base_path]
        cmd += self.www_args() + self.server_args
        self.folio_cmd = cmd
        self._folio_err = open(self.folio_log, "ab")
        self.folio = spawn(cmd, stdout=self._folio_err, stderr=subprocess.STDOUT,
                           cwd=self.tmp)

    # nginx keeps its connections to folio open, as docs/nginx.conf does
    # (8 of them here, 64 there: a test's few requests at once)
    KEEP_CONN = True

    def fcgi_target(self):
        """Where nginx reaches folio fcgi: "unix:PATH" or "HOST:PORT"."""
        return "unix:%s" % self.socket_path

    def nginx_conf(self):
        if not self.KEEP_CONN:
            return nginx_config(self.tmp, self.host, self.port, self.base_path, self.www,
                                "fastcgi_pass %s;" % self.fcgi_target(), fastcgi=True)
        upstream = ("    upstream folio_fcgi {\n        server %s;\n        keepalive 8;\n    }"
                    % self.fcgi_target())
        return nginx_config(self.tmp, self.host, self.port, self.base_path, self.www,
                            FCGI_KEPT_PASS, fastcgi=True, upstream=upstream)

    def _start_nginx(self):
        self.nginx, self._nginx_out = start_nginx(self.tmp, self.nginx_log, self.nginx_conf())

    def _wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        last = "no answer"
        while True:
            for name, proc in (("folio", self.folio), ("nginx", self.nginx)):
                if proc is not None and proc.poll() is not None:
                    raise RuntimeError("%s exited with status %s while starting\n%s"
                                       % (name, proc.returncode, self.logs()))
            try:
                r = self.request("GET", "/healthz", timeout=1.0)
                if r.status == 200:
                    return
                last = "HTTP %d" % r.status
            except (OSError, http.client.HTTPException) as e:
                last = repr(e)
            if time.monotonic() > deadline:
                raise RuntimeError("folio (%s front) not ready after %ss: GET %s/healthz: %s\n%s"
                                   % (self.front, START_TIMEOUT, self.base_path, last,
                                      self.logs()))
            time.sleep(POLL_INTERVAL)

    # -- tear down ----------------------------------------------------------

    def stop(self, check=True):
        """SIGTERM; the server must exit 0 within STOP_TIMEOUT (when check)."""
        if self.stopped:
            return
        self.stopped = True
        problems = []
        if self.nginx is not None:
            if self.nginx.poll() is None:
                _kill_group(self.nginx, signal.SIGTERM)
                try:
                    self.nginx.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    _kill_group(self.nginx, signal.SIGKILL)
                    self.nginx.wait()
            _kill_group(self.nginx, signal.SIGKILL)  # stray workers
            _reap(self.nginx)
        if self.folio is not None:
            if self.folio.poll() is None:
                self.folio.send_signal(signal.SIGTERM)
                try:
                    self.folio.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    _kill_group(self.folio, signal.SIGKILL)
                    self.folio.wait()
                    problems.append("folio did not exit within %ss of SIGTERM" % STOP_TIMEOUT)
                else:
                    if self.folio.returncode != 0:
                        problems.append("folio exited with status %s after SIGTERM (want 0)"
                                        % self.folio.returncode)
            else:
                problems.append("folio had already exited (status %s) before the tests ended"
                                % self.folio.returncode)
            _kill_group(self.folio, signal.SIGKILL)
            _reap(self.folio)
        logs = self.logs()
        for f in ("_folio_err", "_nginx_out"):
            if getattr(self, f, None):
                getattr(self, f).close()
        if os.environ.get("FOLIO_KEEP_TMP") or (problems and check):
            sys.stderr.write("[harness] kept %s\n" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
            if self.pg_name and not self.shared_db:
                pg_drop_database(self.pg_name)
        if problems and check:
            raise AssertionError("; ".join(problems) + "\n" + logs)

    # -- logs ---------------------------------------------------------------

    def log_files(self):
        files = [("folio " + " ".join(os.path.basename(a) if i == 0 else a
                                       for i, a in enumerate(getattr(self, "folio_cmd", [])[:2])),
                  self.folio_log)]
        if self.front == "fcgi":
            files += [("nginx error.log", self.nginx_log),
                      ("nginx stderr", os.path.join(self.tmp, "nginx.stderr"))]
        return files

    def log_marks(self):
        return {path: (os.path.getsize(path) if os.path.exists(path) else 0)
                for _, path in self.log_files()}

    def logs(self, since=None, limit=8000):
        out = []
        for title, path in self.log_files():
            try:
                with open(path, "rb") as f:
                    if since:
                        f.seek(since.get(path, 0))
                    data = f.read()
            except OSError:
                continue
            text = data.decode("utf-8", "replace")
            if len(text) > limit:
                text = "...\n" + text[-limit:]
            out.append("---- %s ----\n%s" % (title, text if text.strip() else "(empty)\n"))
        return "".join(out)

    # -- talking to it ------------------------------------------------------

    def url(self, path=""):
        return "http://%s:%d%s" % (self.host, self.port, path)

    @property
    def host_header(self):
        return "%s:%d" % (self.host, self.port)

    def path(self, path):
        """The site path under the base path: path('/') -> '/news/'."""
        return self.base_path + path

    def request(self, method, path, body=None, headers=None, timeout=REQUEST_TIMEOUT,
                base=True):
        """One request on a fresh connection. `path` is relative to the base
        path unless base=False. body: bytes, str, or a dict (form-encoded)."""
        headers = dict(headers or {})
        if isinstance(body, dict):
            body = urllib.parse.urlencode(body).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif isinstance(body, str):
            body = body.encode()
        if body is None and method in ("POST", "PUT", "PATCH"):
            body = b""
        target = self.path(path) if base else path
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            for k, v in headers.items():
                conn.putheader(k, v)
            if body is not None and not any(k.lower() == "content-length" for k in headers):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            r = conn.getresponse()
            data = r.read()
            return Response(r.status, r.reason, r.msg, data)
        finally:
            conn.close()

    def raw(self, data, timeout=REQUEST_TIMEOUT, grace=0.3):
        """Sends exactly `data` on a new connection and reads the answer:
        to EOF, to the end of the framed body, or (for HEAD, 204 and 304)
        until `grace` seconds pass with nothing more. Returns a Response whose
        .raw holds every byte received and .after_headers the bytes after the
        header block (must be empty for HEAD/304). Raises on a timeout with no
        complete response (a hang)."""
        if isinstance(data, str):
            data = data.encode("latin-1")
        method = data.split(b" ", 1)[0].decode("latin-1", "replace")
        s = socket.create_connection((self.host, self.port), timeout=timeout)
        received = b""
        try:
            try:
                s.sendall(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server may answer early and close; read what it sent
            deadline = time.monotonic() + timeout
            resp = None
            complete = False
            bodiless_since = None
            while True:
                now = time.monotonic()
                if now > deadline:
                    if resp is not None and bodiless_since is not None:
                        return resp
                    raise AssertionError("no complete response within %ss to %r...; got %r"
                                         % (timeout, data[:80], received[:300]))
                wait = deadline - now
                if bodiless_since is not None:
                    wait = min(wait, max(0.0, bodiless_since + grace - now))
                    if wait <= 0:
                        return resp
                s.settimeout(max(wait, 0.001))
                try:
                    chunk = s.recv(65536)
                except socket.timeout:
                    continue
                except ConnectionResetError:
                    chunk = b""
                if not chunk:
                    if not received:
                        raise AssertionError("connection closed without a response to %r"
                                             % data[:80])
                    resp, complete = _parse_raw(received, method)
                    if resp is None:
                        raise AssertionError("connection closed inside the header block: %r"
                                             % received[:300])
                    return resp
                received += chunk
                resp, complete = _parse_raw(received, method)
                if resp is not None:
                    if complete:
                        return resp
                    if (method == "HEAD" or resp.status in (204, 304)) and bodiless_since is None:
                        bodiless_since = time.monotonic()
        finally:
            s.close()

    def raw_request(self, method, target, headers=None, body=b"", base=True):
        """Builds an HTTP/1.1 request by hand (target sent as is) and raw()s it."""
        target = self.path(target) if base else target
        lines = ["%s %s HTTP/1.1" % (method, target), "Host: %s" % self.host_header,
                 "Connection: close"]
        for k, v in (headers or {}).items():
            lines.append("%s: %s" % (k, v))
        if body:
            lines.append("Content-Length: %d" % len(body))
        return self.raw(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

class FolioUpstream(FolioServer):
    """One nginx in front of several running folio hosts (FolioServers on one
    database) as one `upstream`, as docs/running.md shows: their FastCGI
    sockets with fastcgi_pass on the fcgi front, their `folio serve`
    addresses with proxy_pass on the http front. A host that cannot be
    reached (refused, reset) or answers 503 is passed over for the next; a
    request already sent with a method that is not idempotent (POST) is not
    sent again (nginx's default: it may have been done). request() and raw()
    talk to nginx; stop() stops nginx only."""

    def __init__(self, hosts, name="upstream"):
        first = hosts[0]
        super().__init__(front=first.front, fixtures=[], base_path=first.base_path,
                         name=name, db=first.db)
        self.hosts = list(hosts)
        self.backup = []        # hosts used only while every one of `hosts` is down
        self.www = first.www

    def upstream_block(self):
        lines = []
        for h in self.hosts + self.backup:
            # once it failed, a host is left alone for a second (nginx
            # counts whole seconds: 1 to 2 s), then tried again
            lines.append("        server %s max_fails=1 fail_timeout=1s%s;"
                         % (self.host_name(h), " backup" if h in self.backup else ""))
        if self.front == "fcgi":
            lines.append("        keepalive 8;")     # as running.md's upstream (64 there)
        return "    upstream folio {\n%s\n    }" % "\n".join(lines)

    def nginx_conf(self):
        fastcgi = self.front == "fcgi"
        kind = "fastcgi" if fastcgi else "proxy"
        pass_line = ("%s_pass %sfolio;\n            %s_next_upstream error timeout http_503;"
                     % (kind, "" if fastcgi else "http://", kind))
        if fastcgi:
            pass_line += "\n            fastcgi_keep_conn on;"
        return nginx_config(self.tmp, self.host, self.port, self.base_path, self.www,
                            pass_line, fastcgi=fastcgi, upstream=self.upstream_block(),
                            log_format=self.LOG_FORMAT)

    def start(self):
        with self.stopped_if_failing():
            self.port = free_port()
            self._start_nginx()
            self._wait_ready()
        return self

    def log_files(self):
        return [("upstream nginx error.log", self.nginx_log),
                ("upstream nginx stderr", os.path.join(self.tmp, "nginx.stderr"))]

    # what the upstream's access log says of each request
    LOG_FORMAT = "$request_method|$uri|$status|$upstream_addr|$upstream_status"

    def access_log(self):
        """The requests nginx answered, in order: dicts of method, path,
        status (what the client got), hosts (every host nginx tried, in
        order, as `server` lines name them) and their statuses."""
        try:
            with open(os.path.join(self.tmp, "nginx-access.log"), encoding="utf-8",
                      errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:
            return []
        out = []
        for line in lines:
            method, path, status, addrs, statuses = line.split("|")
            out.append({"method": method, "path": path, "status": int(status),
                        "hosts": [a.strip() for a in addrs.split(",") if a.strip() != "-"],
                        "statuses": [x.strip() for x in statuses.split(",")
                                     if x.strip() != "-"]})
        return out

    def host_name(self, host):
        """How the access log names one of the hosts."""
        return ("unix:" + host.socket_path) if host.front == "fcgi" \
            else "%s:%d" % (host.host, host.port)

# ---------------------------------------------------------------------------
# The test base class

class FolioTestCase(unittest.TestCase):
    """Base class: one server per class.

    Class attributes:
      front        None: from FOLIO_FRONT
      fixtures     list of article files to import (None: fixtures/*.md; [] none)
      demo         True: `folio init --demo`
      base_path    e.g. "/news"
      server_args  extra arguments for folio serve/fcgi, e.g. ["--comment-rate", "0"]
      server_class FolioServer or a subclass of it
    Override make_fixtures(cls, tmpdir) to generate files (returns paths).
    """
    front = None
    fixtures = None
    demo = False
    base_path = ""
    server_args = ()
    server_class = FolioServer
    maxDiff = 4000

    @classmethod
    def make_fixtures(cls, tmpdir):
        return None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        gen_dir = tempfile.mkdtemp(prefix="folio-fix-")
        try:
            generated = cls.make_fixtures(gen_dir)
            fixtures = generated if generated is not None else cls.fixtures
            cls.server = cls.server_class(front=cls.front, fixtures=fixtures, demo=cls.demo,
                                          base_path=cls.base_path,
                                          server_args=cls.server_args, name=cls.__name__)
            cls.addClassCleanup(cls.server.stop)
            cls.server.start()
        finally:
            shutil.rmtree(gen_dir, ignore_errors=True)

    def run(self, result=None):
        srv = getattr(type(self), "server", None)
        marks = srv.log_marks() if srv is not None and not srv.stopped else None
        before = (len(result.failures) + len(result.errors)) if result is not None else 0
        out = super().run(result)
        if (result is not None and srv is not None and marks is not None
                and len(result.failures) + len(result.errors) > before):
            sys.stderr.write("\n==== server logs during %s ====\n%s====\n"
                             % (self.id(), srv.logs(since=marks)))
        return out

    # shortcuts
    def request(self, method, path, body=None, headers=None, **kw):
        return self.server.request(method, path, body=body, headers=headers, **kw)

    def get(self, path, headers=None, **kw):
        return self.server.request("GET", path, headers=headers, **kw)

    def raw(self, data, **kw):
        return self.server.raw(data, **kw)

    def raw_request(self, method, target, headers=None, body=b"", **kw):
        return self.server.raw_request(method, target, headers=headers, body=body, **kw)

    def folio(self, *args, input=None):
        """Runs a folio command against this class's database."""
        return run_folio(list(args), db=self.server.db, input=input)

    # assertions
    def assertStatus(self, resp, status, msg=None):
        wanted = status if isinstance(status, (tuple, list, set)) else (status,)
        if resp.status not in wanted:
            self.fail("%sexpected HTTP %s, got:\n%s"
                      % (msg + ": " if msg else "", "/".join(map(str, wanted)),
                         resp.describe()))

    def get_ok(self, path, **kw):
        r = self.get(path, **kw)
        self.assertStatus(r, 200, "GET %s" % path)
        return r

    def assertNoLeak(self, resp):
        """No error shows SQL, a file path or a stack."""
        low = resp.html().norm_text().lower() if resp.text.lstrip().startswith("<") \
            else resp.text.lower()
        for bad in ("sqlite", "syntax error", "fts5", self.server.tmp.lower(),
                    "traceback", "segmentation"):
            self.assertNotIn(bad, low, "response leaks %r:\n%s" % (bad, resp.describe()))


def site_path(server, href):
    """The path of a link if it points into this site (relative or absolute
    to the server), else None."""
    if href is None:
        return None
    u = urllib.parse.urlsplit(href)
    if u.scheme or u.netloc:
        if u.scheme not in ("http", "https") or u.hostname not in ("127.0.0.1", "localhost"):
            return None
    if not u.path and not u.scheme:
        return None
    return u.path


def article_slugs_linked(server, root):
    """Slugs of /articles/{slug} links in document order, each once."""
    pat = re.compile(r"^%s/articles/([^/?#]+)/?$" % re.escape(server.base_path))
    seen = []
    for href, _ in root.links():
        p = site_path(server, href)
        if p is None:
            continue
        m = pat.match(p)
        if m:
            slug = urllib.parse.unquote(m.group(1))
            if slug not in seen:
                seen.append(slug)
    return seen


# ---------------------------------------------------------------------------
# Fixture metadata, read back from the files the tests import.

def read_front_matter(path):
    """The front matter of an article file as a dict (keys as written)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    assert lines[0].strip() == "---", path
    meta = {}
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            meta["_body"] = "\n".join(lines[i + 1:])
            break
        k, _, v = line.partition(":")
        meta[k.strip()] = v.strip()
    return meta


def fixture_articles():
    """slug -> front matter of every fixture in fixtures/."""
    out = {}
    for p in fixture_paths():
        m = read_front_matter(p)
        out[m["slug"]] = m
    return out
