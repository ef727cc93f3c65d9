"""The HTTP layer: health, metrics, static files, headers, malformed and oversized requests, shutdown."""
import signal
import socket
import time
import unittest

from harness import ServerTestCase, Server, raw_request as raw


class HttpTest(ServerTestCase):
    demo = True

    def test_healthz(self):
        r = self.s.request("GET", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"ok")

    def test_metrics_count_requests_by_route(self):
        self.s.request("GET", "/events/past")
        r = self.s.request("GET", "/metrics")
        self.assertEqual(r.status, 200)
        self.assertIn("text/plain", r.header("Content-Type"))
        self.assertRegex(r.text, r'sabor_http_requests_total\{route="/events/past",status="200"\} [1-9]')
        self.assertIn("sabor_http_request_duration_seconds_bucket", r.text)
        self.assertIn("sabor_events_published 4", r.text)

    def test_security_headers_on_pages(self):
        r = self.s.request("GET", "/")
        self.assertIn("default-src 'self'", r.header("Content-Security-Policy"))
        self.assertIn("frame-ancestors 'none'", r.header("Content-Security-Policy"))
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        self.assertEqual(r.header("Referrer-Policy"), "strict-origin-when-cross-origin")

    def test_static_files_have_etag_and_answer_304(self):
        r = self.s.request("GET", "/static/css/sabor.css")
        self.assertEqual(r.status, 200)
        self.assertIn("text/css", r.header("Content-Type"))
        etag = r.header("ETag")
        self.assertTrue(etag and etag.startswith('"'))
        self.assertIn("max-age", r.header("Cache-Control"))
        r2 = self.s.request("GET", "/static/css/sabor.css", headers={"If-None-Match": etag})
        self.assertEqual(r2.status, 304)
        self.assertEqual(r2.body, b"")
        self.assertEqual(self.s.request("GET", "/static/../config/sabor.toml").status, 404)
        self.assertEqual(self.s.request("GET", "/static/%2e%2e/%2e%2e/etc/passwd").status, 404)

    def test_head_has_no_body(self):
        r = self.s.request("HEAD", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")

    def test_unknown_path_404_wrong_method_405(self):
        r = self.s.request("GET", "/no/such/page")
        self.assertEqual(r.status, 404)
        self.assertIn("Страницата не е намерена", r.text)
        r = self.s.request("PUT", "/healthz")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.header("Allow"), "GET, HEAD")
        r = self.s.request("GET", "/api/v1/nothing")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json()["error"]["code"], "not_found")

    def test_malformed_requests_get_400_and_the_server_lives_on(self):
        for junk in [b"GARBAGE\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
                     b"GET / HTTP/1.1\r\nBad Header\r\n\r\n", b"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                     b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
                     # A NUL decoded into the path (found by tests/fuzz/fuzz_form).
                     b"GET /static/css/sabor.css%00.txt HTTP/1.1\r\nHost: x\r\n\r\n"]:
            out = raw(self.s.port, junk)
            self.assertTrue(out.startswith(b"HTTP/1.1 400"), (junk, out[:80]))
        huge_header = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n"
        self.assertTrue(raw(self.s.port, huge_header).startswith(b"HTTP/1.1 400"))
        self.assertEqual(self.s.request("GET", "/healthz").status, 200)

    def test_oversized_body_is_refused_from_the_header(self):
        # Only the header is sent: the 413 must come without waiting for the body.
        t = time.monotonic()
        out = raw(self.s.port, b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n", timeout=3)
        self.assertTrue(out.startswith(b"HTTP/1.1 413"), out[:80])
        self.assertLess(time.monotonic() - t, 2.5)
        self.assertIn("Заявката е твърде голяма.".encode(), out)  # in the visitor's language
        out = raw(self.s.port, b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nAccept-Language: en\r\n"
                  b"Content-Length: 999999999\r\n\r\n")
        self.assertIn(b'"code":"too_large"', out)
        self.assertIn(b"The request is too large.", out)
        # A body on a route that takes none is refused too.
        out = raw(self.s.port, b"POST /api/v1/events/1/publish HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 413"), out[:80])
        # Chunked bodies are counted as they arrive.
        chunk = b"1000\r\n" + b"a" * 4096 + b"\r\n"
        out = raw(self.s.port, b"POST /api/v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                  b"Content-Type: application/json\r\n\r\n" + chunk * 80 + b"0\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 413"), out[:80])

    def test_keep_alive_serves_several_requests_on_one_connection(self):
        out = raw(self.s.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n" * 3 +
                  b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertEqual(out.count(b"HTTP/1.1 200 OK"), 4)

    def test_access_log_has_a_line_per_request(self):
        self.s.request("GET", "/healthz?probe=access-log")
        time.sleep(0.2)
        self.assertTrue(any("GET /healthz?probe=access-log 200" in l for l in self.s.log))


class ShutdownTest(unittest.TestCase):
    def test_sigterm_finishes_the_request_in_flight_and_exits_0(self):
        s = Server(demo=True)
        try:
            sock = socket.create_connection(("127.0.0.1", s.port), timeout=10)
            idle = socket.create_connection(("127.0.0.1", s.port), timeout=10)
            # A first request on each connection proves the server has taken it in.
            for c in (sock, idle):
                c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                self.assertTrue(c.recv(65536).startswith(b"HTTP/1.1 200"))
            body = b"email=a%40b.bg&password=x&csrf_token=0"
            # "100 Continue" proves the server has read the header: the request is in flight
            # (a sleep instead raced with a loaded machine, where SIGTERM came first).
            sock.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                         b"Expect: 100-continue\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
            self.assertTrue(sock.recv(65536).startswith(b"HTTP/1.1 100"))
            sock.sendall(body[:10])
            time.sleep(0.2)
            s.proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            sock.sendall(body[10:])
            answer = sock.recv(65536)
            self.assertTrue(answer.startswith(b"HTTP/1.1 403"), answer[:80])  # answered, not dropped
            self.assertEqual(s.proc.wait(timeout=15), 0)
            self.assertEqual(idle.recv(10), b"")  # the idle connection was closed
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
