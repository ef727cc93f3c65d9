"""Issue 12, items 1, 2, 3 and 13: connection limits, the page cache's bounds, password
hashing off the I/O threads, and request smuggling through Transfer-Encoding."""
import http.client
import re
import resource
import socket
import threading
import time
import unittest
import urllib.parse

from harness import Server, raw_request


def metric(server, name):
    text = server.request("GET", "/metrics").text
    m = re.search(r"^" + re.escape(name) + r" (\S+)$", text, re.M)
    assert m, name + " missing from /metrics"
    return float(m.group(1))


def healthz_ms(server):
    started = time.monotonic()
    r = server.request("GET", "/healthz", timeout=5)
    assert r.status == 200
    return (time.monotonic() - started) * 1000


def closed_by_server(sock):
    """True when the server has closed SOCK (EOF or reset), without waiting."""
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


def limit_descriptors():
    # A server run under a small descriptor limit, as on many systems (hard limit 1024).
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


class ConnectionCapTest(unittest.TestCase):
    def setUp(self):
        self.s = Server(env={"SABOR_SERVER_MAX_CONNECTIONS": "50"}, preexec=limit_descriptors)
        self.idle = []

    def tearDown(self):
        for c in self.idle:
            c.close()
        self.s.close()

    def test_more_idle_connections_than_descriptors_and_healthz_still_answers(self):
        # 300 connections that send nothing: more than the cap, more than the 256 descriptors.
        for _ in range(300):
            self.idle.append(socket.create_connection(("127.0.0.1", self.s.port)))
        time.sleep(0.5)
        times = sorted(healthz_ms(self.s) for _ in range(10))
        self.assertLess(times[8], 100, times)  # the 90th percentile
        # The cap holds: the longest-idle connections were closed to make room.
        closed = sum(closed_by_server(c) for c in self.idle)
        self.assertGreaterEqual(closed, 300 - 50)
        self.assertEqual(self.s.proc.poll(), None)


class HeaderTimeoutTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(env={"SABOR_SERVER_HEADER_TIMEOUT_SECONDS": "1"})

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def wait_closed(self, sock, seconds):
        sock.settimeout(seconds)
        try:
            return sock.recv(1) == b""
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True

    def test_a_connection_without_a_header_is_closed_after_the_header_timeout(self):
        silent = socket.create_connection(("127.0.0.1", self.s.port))
        partial = socket.create_connection(("127.0.0.1", self.s.port))
        partial.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and then nothing more
        started = time.monotonic()
        self.assertTrue(self.wait_closed(silent, 5))
        self.assertTrue(self.wait_closed(partial, 5))
        self.assertLess(time.monotonic() - started, 4)
        silent.close()
        partial.close()

    def test_a_connection_that_was_served_keeps_the_idle_timeout(self):
        c = http.client.HTTPConnection("127.0.0.1", self.s.port, timeout=5)
        c.request("GET", "/healthz")
        self.assertEqual(c.getresponse().read(), b"ok")
        time.sleep(1.8)
        c.request("GET", "/healthz")  # the same connection, still open
        self.assertEqual(c.getresponse().read(), b"ok")
        c.close()


class PageCacheTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(demo=True)
        cls.slug = cls.s.sql("SELECT slug FROM events WHERE status = 'published' ORDER BY id LIMIT 1")[0][0]

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def test_unknown_query_parameters_share_one_entry(self):
        self.assertEqual(self.s.request("GET", "/events/" + self.slug).status, 200)
        entries = metric(self.s, "sabor_page_cache_entries")
        size = metric(self.s, "sabor_page_cache_bytes")
        hits = metric(self.s, "sabor_page_cache_hits_total")
        for i in range(40):
            r = self.s.request("GET", f"/events/{self.slug}?utm_source=x{i}&fbclid={i}")
            self.assertEqual(r.status, 200)
        self.assertEqual(metric(self.s, "sabor_page_cache_entries"), entries)
        self.assertEqual(metric(self.s, "sabor_page_cache_bytes"), size)
        self.assertEqual(metric(self.s, "sabor_page_cache_hits_total"), hits + 40)

    def test_parameters_the_page_reads_still_make_their_own_page(self):
        everyone = self.s.request("GET", "/?utm_source=a").text
        nowhere = self.s.request("GET", "/?city=" + urllib.parse.quote("Никъде")).text
        again = self.s.request("GET", "/?utm_source=b").text
        self.assertIn('class="empty"', nowhere)
        self.assertNotIn('class="empty"', everyone)
        self.assertEqual(again, everyone)

    def test_an_invalid_session_cookie_is_served_from_the_cache(self):
        anonymous = self.s.request("GET", "/events/" + self.slug)
        hits = metric(self.s, "sabor_page_cache_hits_total")
        r = self.s.request("GET", "/events/" + self.slug, headers={"Cookie": "sabor_session=forged-or-expired"})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, anonymous.body)
        self.assertEqual(metric(self.s, "sabor_page_cache_hits_total"), hits + 1)


class SmallPageCacheTest(unittest.TestCase):
    def test_the_cache_stays_within_page_cache_mb(self):
        s = Server(env={"SABOR_SERVER_PAGE_CACHE_MB": "1"})
        try:
            # Long values (a city nobody has) make each entry a few KiB: 300 of them exceed 1 MiB.
            for i in range(300):
                self.assertEqual(s.request("GET", f"/?city=c{i}" + "x" * 1000).status, 200)
            self.assertLessEqual(metric(s, "sabor_page_cache_bytes"), 1024 * 1024)
            self.assertLess(metric(s, "sabor_page_cache_entries"), 300)
            self.assertGreater(metric(s, "sabor_page_cache_evictions_total"), 0)
            # The most recent pages are still there.
            hits = metric(s, "sabor_page_cache_hits_total")
            s.request("GET", "/?city=c299" + "x" * 1000)
            self.assertEqual(metric(s, "sabor_page_cache_hits_total"), hits + 1)
        finally:
            s.close()


class LoginFloodTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(env={"SABOR_LIMITS_LOGINS_PER_MINUTE": "0"})
        cls.s.cli("user", "add", "--email", "org@example.bg", "--name", "Организатор", stdin="password-123\n")
        page = cls.s.request("GET", "/login")
        cls.cookie = page.header("Set-Cookie").split(";")[0]
        cls.csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def login(self, password, email="org@example.bg"):
        body = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": self.csrf,
                                       "next": "/admin"})
        return self.s.request("POST", "/login", body=body, timeout=60, headers={
            "Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"})

    def flood(self, n):
        answers = []
        start = threading.Barrier(n)

        # A different (unknown) account each, so the per-account back-off does not answer
        # first: every attempt still costs a hash (unknown addresses are checked too).
        def one(i):
            start.wait()
            answers.append(self.login("wrong-password", f"flood-{i}@example.bg"))
        threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        return threads, answers

    def test_healthz_stays_fast_during_a_login_flood(self):
        threads, answers = self.flood(40)
        time.sleep(0.05)
        times = []
        while any(t.is_alive() for t in threads) and len(times) < 30:
            times.append(healthz_ms(self.s))
            time.sleep(0.02)
        for t in threads:
            t.join()
        times.sort()
        # Behind argon2 on the I/O threads each would wait for several hashes (hundreds of ms);
        # the bounds are generous for a loaded machine.
        self.assertLess(times[len(times) // 2], 50, times)
        self.assertLess(times[min(len(times) - 1, int(len(times) * 0.95))], 250, times)
        self.assertEqual({r.status for r in answers} - {401, 503}, set())

    def test_a_full_queue_answers_503_with_retry_after(self):
        threads, answers = self.flood(100)
        for t in threads:
            t.join()
        busy = [r for r in answers if r.status == 503]
        self.assertTrue(busy, [r.status for r in answers])
        self.assertTrue(all(r.header("Retry-After") == "1" for r in busy))
        self.assertEqual({r.status for r in answers} - {401, 503}, set())
        self.assertEqual(self.login("password-123").status, 303)  # and it serves again


class TransferEncodingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server()

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def test_a_last_coding_other_than_chunked_is_refused_and_never_runs_the_body(self):
        smuggled = b"GET /smuggled-request HTTP/1.1\r\nHost: x\r\n\r\n"
        for coding in (b"gzip", b"chunked, gzip"):
            with self.subTest(coding=coding):
                answer = raw_request(self.s.port, b"POST /login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding +
                                     b"\r\n\r\n" + smuggled)
                self.assertTrue(answer.startswith(b"HTTP/1.1 400"), answer[:100])
                self.assertEqual(answer.count(b"HTTP/1.1 "), 1)  # one answer, then closed
        time.sleep(0.2)
        self.assertFalse([l for l in self.s.log if "smuggled-request" in l])
        self.assertEqual(self.s.request("GET", "/healthz").status, 200)


if __name__ == "__main__":
    unittest.main()
