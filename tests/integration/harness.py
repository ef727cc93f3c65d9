"""Starts the real sabor binary on a free loopback port with a fresh data folder."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse

BIN = os.environ.get("SABOR_BIN", os.path.join(os.path.dirname(__file__), "../../build-test/sabor"))
ROOT = os.environ.get("SABOR_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "../.."))
# Templates render strictly under test: a section reading a value of an outer context is a 500.
os.environ.setdefault("SABOR_TEST_STRICT_TEMPLATES", "1")
# POST /_test/round: one round of the scheduler and the mail worker, waited for (Server.round).
os.environ.setdefault("SABOR_TEST_HOOKS", "1")


def run_cli(data_dir, *args, stdin=None, env=None, check=True):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([BIN, *args, "--data-dir", data_dir], input=stdin, capture_output=True, text=True,
                       cwd=ROOT, env=e, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError(f"sabor {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


class Server:
    def __init__(self, env=None, demo=False, preexec=None):
        self.data_dir = tempfile.mkdtemp(prefix="sabor-it-")
        self.preexec = preexec  # run in the child before sabor starts (resource limits)
        self.env = dict(os.environ)
        self.env.update(env or {})
        run_cli(self.data_dir, "migrate")
        if demo:
            out = run_cli(self.data_dir, "demo").stdout
            self.demo_email = re.search(r"demo organiser: (\S+)", out).group(1)
            self.demo_password = re.search(r"password:\s+(\S+)", out).group(1)
        self._start()

    def restart(self):
        """Starts the server again on the same data folder (after stop() or a kill)."""
        for f in (self.proc.stdout, self.proc.stderr):
            f.close()
        self._start()
        return self

    def _start(self):
        self.proc = subprocess.Popen([BIN, "serve", "--data-dir", self.data_dir, "--listen", "127.0.0.1:0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=self.env,
                                     preexec_fn=self.preexec)
        line = self.proc.stdout.readline()
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
        if not m:
            self.proc.kill()
            raise AssertionError("server did not start: " + line + self.proc.stderr.read())
        self.port = int(m.group(1))
        self.log = []
        # Keep draining the access log so the pipe never fills.
        self._reader = threading.Thread(target=lambda: [self.log.append(l) for l in self.proc.stdout], daemon=True)
        self._reader.start()

    @property
    def db_path(self):
        return os.path.join(self.data_dir, "sabor.db")

    def cli(self, *args, **kw):
        return run_cli(self.data_dir, *args, **kw)

    def request(self, method, path, body=None, headers=None, timeout=10, source=None):
        """`source`: another loopback address (127.0.0.0/8) to send from, so the server sees another client."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=(source, 0) if source else None)
        h = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return Response(r.status, r.getheaders(), data)

    def round(self):
        """Runs one round of the scheduler and then of the mail worker, and returns when both
        are done: what was due has been queued and handed to the SMTP server (or failed)."""
        r = self.request("POST", "/_test/round", timeout=60)
        assert r.status == 200, f"test round: {r.status} {r.text}"

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def close(self):
        self.stop()
        for f in (self.proc.stdout, self.proc.stderr):
            f.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def sql(self, query, *params):
        con = sqlite3.connect(self.db_path, timeout=10)
        try:
            cur = con.execute(query, params)
            rows = cur.fetchall()
            con.commit()
            return rows
        finally:
            con.close()


class ServerTestCase(unittest.TestCase):
    """One server for the whole class: set `demo` and `env` on the subclass, and
    `prepare(server)` for accounts or data the tests share."""
    demo = False
    env = None

    @classmethod
    def setUpClass(cls):
        cls.s = Server(demo=cls.demo, env=cls.env)
        cls.prepare(cls.s)

    @classmethod
    def prepare(cls, server):
        pass

    @classmethod
    def tearDownClass(cls):
        cls.s.close()


def raw_request(port, data, timeout=5):
    """Sends DATA as it is and returns every byte answered until the server closes or goes quiet."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    chunks = []
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    except socket.timeout:
        pass
    s.close()
    return b"".join(chunks)


def add_organiser(server, email, name="Организатор", password="password-123"):
    """A new user with an API token; returns the token."""
    server.cli("user", "add", "--email", email, "--name", name, stdin=password + "\n")
    return server.cli("token", "create", "--email", email).stdout.strip()


def api_request(server, token, method, path, body=None, headers=None):
    """A request with TOKEN as its Bearer token."""
    h = {"Authorization": "Bearer " + token}
    h.update(headers or {})
    return server.request(method, path, body=body, headers=h)


class ApiTestCase(ServerTestCase):
    """A ServerTestCase whose prepare() sets `token`; api() sends it, another with token=...,
    none with token=False."""
    token = None

    def api(self, method, path, body=None, token=None, headers=None):
        h = dict(headers or {})
        if token is not False:
            h["Authorization"] = "Bearer " + (token or self.token)
        return self.s.request(method, path, body=body, headers=h)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)


class Browser:
    """A cookie jar over Server.request, enough for forms with CSRF tokens."""

    def __init__(self, server, lang=None):
        self.s = server
        self.cookies = {}
        if lang:
            self.cookies["lang"] = lang

    def _headers(self, extra=None):
        h = dict(extra or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return h

    def _remember(self, r):
        for c in r.all("Set-Cookie"):
            name, _, rest = c.partition("=")
            value = rest.split(";")[0]
            if "Max-Age=0" in c:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return r

    def get(self, path, headers=None):
        return self._remember(self.s.request("GET", path, headers=self._headers(headers)))

    def post(self, path, fields, headers=None):
        body = urllib.parse.urlencode(fields)
        h = self._headers(headers)
        h["Content-Type"] = "application/x-www-form-urlencoded"
        return self._remember(self.s.request("POST", path, body=body, headers=h))

    @staticmethod
    def csrf(page):
        m = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
        assert m, "no csrf_token in the page"
        return m.group(1)

    def login(self, email, password):
        page = self.get("/login")
        r = self.post("/login", {"email": email, "password": password, "csrf_token": self.csrf(page), "next": "/admin"})
        assert r.status == 303, f"login failed: {r.status}"
        return r


class EventMailTestCase(unittest.TestCase):
    """A fresh server for each test, sending to a real SMTP sink (`self.sink`), with one
    organiser (`organiser_email`, password-123) whose API token is `self.token`, and the
    published event `event_fields` as `self.event`."""
    organiser_email = "org@example.bg"
    mail_from = "Събор <events@example.bg>"
    event_fields = None

    def setUp(self):
        from smtp_sink import Sink
        self.sink = Sink()
        self.s = Server(env={"SABOR_MAIL_SMTP_URL": self.sink.url, "SABOR_MAIL_RETRY_FIRST_SECONDS": "1",
                             "SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "0", "SABOR_MAIL_FROM": self.mail_from})
        self.s.cli("user", "add", "--email", self.organiser_email, "--name", "Организатор", stdin="password-123\n")
        self.token = self.s.cli("token", "create", "--email", self.organiser_email).stdout.strip()
        self.event = self.create_event(self.event_fields)

    def tearDown(self):
        self.s.close()
        self.sink.stop()

    def api(self, method, path, body=None, auth=True):
        h = {"Authorization": "Bearer " + self.token} if auth else {}
        return self.s.request(method, path, body=body, headers=h)

    def create_event(self, fields, publish=True):
        ev = self.api("POST", "/api/v1/events", fields).json()
        if publish:
            self.api("POST", f"/api/v1/events/{ev['id']}/publish")
        return ev

    def register(self, body, event=None):
        return self.s.request("POST", f"/api/v1/events/{(event or self.event)['id']}/registrations", body=body)
