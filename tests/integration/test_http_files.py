"""File answers through the real binary: validators, byte ranges and HEAD on static files,
and a refused upload whose client keeps sending still getting its answer."""
import socket
import time
import unittest

from harness import ServerTestCase


class HttpFilesTest(ServerTestCase):
    path = "/static/css/sabor.css"

    def whole(self):
        r = self.s.request("GET", self.path)
        self.assertEqual(r.status, 200)
        return r

    def test_whole_file_has_validators_and_accepts_ranges(self):
        r = self.whole()
        self.assertEqual(r.header("Accept-Ranges"), "bytes")
        self.assertRegex(r.header("Last-Modified"), r"^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$")
        self.assertTrue(r.header("ETag").startswith('"'))
        self.assertEqual(int(r.header("Content-Length")), len(r.body))

    def test_ranges(self):
        body = self.whole().body
        size = len(body)
        r = self.s.request("GET", self.path, headers={"Range": "bytes=0-9"})
        self.assertEqual(r.status, 206)
        self.assertEqual(r.body, body[:10])
        self.assertEqual(r.header("Content-Range"), f"bytes 0-9/{size}")
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")  # through application::handle
        r = self.s.request("GET", self.path, headers={"Range": "bytes=-5"})
        self.assertEqual(r.status, 206)
        self.assertEqual(r.body, body[-5:])
        r = self.s.request("GET", self.path, headers={"Range": f"bytes={size - 3}-{size + 1000}"})
        self.assertEqual(r.status, 206)
        self.assertEqual(r.body, body[-3:])
        r = self.s.request("GET", self.path, headers={"Range": f"bytes={size}-"})
        self.assertEqual(r.status, 416)
        self.assertEqual(r.header("Content-Range"), f"bytes */{size}")
        r = self.s.request("GET", self.path, headers={"Range": "bytes=0-1,5-6"})
        self.assertEqual(r.status, 200)  # several ranges: the whole file
        self.assertEqual(r.body, body)

    def test_if_range_and_conditional_gets(self):
        first = self.whole()
        etag, modified = first.header("ETag"), first.header("Last-Modified")
        r = self.s.request("GET", self.path, headers={"Range": "bytes=0-9", "If-Range": etag})
        self.assertEqual(r.status, 206)
        r = self.s.request("GET", self.path, headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
        self.assertEqual(r.status, 200)
        r = self.s.request("GET", self.path, headers={"If-Modified-Since": modified})
        self.assertEqual(r.status, 304)
        self.assertEqual(r.body, b"")
        r = self.s.request("GET", self.path, headers={"If-None-Match": f'"other", W/{etag}'})
        self.assertEqual(r.status, 304)
        r = self.s.request("GET", self.path, headers={"If-None-Match": '"other"', "If-Modified-Since": modified})
        self.assertEqual(r.status, 200)

    def test_head_has_the_length_and_no_body(self):
        size = len(self.whole().body)
        r = self.s.request("HEAD", self.path)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"")
        self.assertEqual(int(r.header("Content-Length")), size)

    def test_refused_body_answer_survives_a_client_that_keeps_sending(self):
        # The server answers 413 from the header and stops reading. A simple client sends its
        # whole body before it reads: were the server to close at once with unread bytes, the
        # kernel's reset would fail that send and throw away the answer. It drains instead.
        sock = socket.create_connection(("127.0.0.1", self.s.port), timeout=10)
        size = 8 * 1024 * 1024
        sock.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % size)
        time.sleep(0.2)  # the answer is on its way before the body is
        answer = b""
        try:
            sock.sendall(b"a" * size)
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
        finally:
            sock.close()
        self.assertTrue(answer.startswith(b"HTTP/1.1 413"), answer[:80])
        self.assertEqual(self.s.request("GET", "/healthz").status, 200)

if __name__ == "__main__":
    unittest.main()
