"""Presentations: streamed uploads checked by content, downloads with ranges and validators,
visibility per event with a release time and personal keys, the ZIP of all, the announcement."""
import hashlib
import io
import os
import re
import socket
import struct
import time
import unittest
import urllib.parse
import uuid
import zipfile
import zlib

from harness import Server, Browser, add_organiser
from smtp_sink import Sink

MAX_BYTES = 3 * 1024 * 1024

EVENT = {
    "title": "Конференция „Добри практики“",
    "kind": "conference",
    "starts_at": "2031-09-10T09:00:00+03:00",
    "ends_at": "2031-09-11T17:00:00+03:00",
    "venue": "Доходно здание",
    "city": "Русе",
    "capacity": 0,
    "registration_mode": "open",
}


def make_pdf(note=""):
    note = note or uuid.uuid4().hex
    return ("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n% " + note +
            "\ntrailer<</Root 1 0 R>>\n%%EOF\n").encode()


def make_pptx(note=""):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8"?><Types xmlns='
                   '"http://schemas.openxmlformats.org/package/2006/content-types"/>')
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr("ppt/presentation.xml", "<x>" + (note or uuid.uuid4().hex) + "</x>")
    return buf.getvalue()


def make_png(width=64, height=48):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    seed = os.urandom(3)
    raw = b"".join(b"\x00" + bytes((x * 4 + seed[0]) % 256 for x in range(width)) * 3 for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def multipart(parts, boundary=None):
    """parts: (name, value bytes/str, filename or None, content type or None)."""
    boundary = boundary or "----sabor" + uuid.uuid4().hex
    out = b""
    for name, value, filename, ctype in parts:
        if isinstance(value, str):
            value = value.encode()
        disp = f'form-data; name="{name}"'
        if filename is not None:
            disp += '; filename="' + filename + '"'
        out += b"--" + boundary.encode() + b"\r\n" + b"Content-Disposition: " + disp.encode() + b"\r\n"
        if ctype:
            out += b"Content-Type: " + ctype.encode() + b"\r\n"
        out += b"\r\n" + value + b"\r\n"
    out += b"--" + boundary.encode() + b"--\r\n"
    return out, "multipart/form-data; boundary=" + boundary


def sha(data):
    return hashlib.sha256(data).hexdigest()


class MaterialsTestBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = Sink()
        cls.s = Server(env={"SABOR_UPLOADS_MAX_BYTES": str(MAX_BYTES), "SABOR_MAIL_SMTP_URL": cls.sink.url,
                            "SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "0", "SABOR_MAIL_FROM": "Събор <events@ruse.bg>"})
        cls.token = add_organiser(cls.s, "org@ruse.bg")
        cls.other_token = add_organiser(cls.s, "other@varna.bg", "Друг", "password-456")

    @classmethod
    def tearDownClass(cls):
        cls.s.close()
        cls.sink.stop()

    def api(self, method, path, body=None, token=None, headers=None):
        h = {"Authorization": "Bearer " + (token or self.token)}
        h.update(headers or {})
        return self.s.request(method, path, body=body, headers=h)

    def assert_invalid(self, r, fields):
        """A 422 that names each refused field with its message in Bulgarian (the default)."""
        self.assertEqual(r.status, 422, r.text)
        self.assertEqual(r.json()["error"]["code"], "validation")
        self.assertEqual(r.json()["error"]["message"], "Някои полета са невалидни.")
        self.assertEqual(r.json()["error"]["fields"], fields)

    def create_event(self, publish=True, **fields):
        ev = self.api("POST", "/api/v1/events", dict(EVENT, **fields)).json()
        if publish:
            self.assertEqual(self.api("POST", f"/api/v1/events/{ev['id']}/publish").status, 200)
        return ev

    def create_talk(self, event_id, title="Доклад"):
        """The programme API is another part's: rows straight into its tables."""
        now = "2031-01-01T00:00:00Z"
        self.s.sql("INSERT INTO programme_sessions (event_id, title, starts_at, ends_at, created_at, updated_at) "
                   "VALUES (?, 'Пленарна сесия', '2031-09-10T06:00:00Z', '2031-09-10T08:00:00Z', ?, ?)", event_id, now, now)
        session = self.s.sql("SELECT MAX(id) FROM programme_sessions")[0][0]
        self.s.sql("INSERT INTO talks (event_id, session_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                   event_id, session, title, now, now)
        return self.s.sql("SELECT MAX(id) FROM talks")[0][0]

    def upload(self, path, data, filename, title=None, token=None, extra=()):
        parts = [("file", data, filename, "application/octet-stream")]
        if title is not None:
            parts.insert(0, ("title", title, None, None))
        body, ctype = multipart(list(extra) + parts)
        return self.api("POST", path, body=body, token=token, headers={"Content-Type": ctype})

    def register(self, event_id, i, **kw):
        body = {"name": f"Участник {i}", "email": f"p{i}-{uuid.uuid4().hex[:6]}@example.bg",
                "organisation": "Община", "consent": True}
        body.update(kw)
        r = self.s.request("POST", f"/api/v1/events/{event_id}/registrations", body=body)
        self.assertEqual(r.status, 201, r.text)
        return r.json()

    def store_files(self):
        d = os.path.join(self.s.data_dir, "materials")
        return sorted(f for f in os.listdir(d) if os.path.isfile(os.path.join(d, f)))

    def temp_files(self):
        return os.listdir(os.path.join(self.s.data_dir, "materials", "tmp"))

    def rows(self):
        return self.s.sql("SELECT COUNT(*) FROM materials")[0][0]

    def wait_tmp_empty(self):
        deadline = time.monotonic() + 10
        while self.temp_files() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(self.temp_files(), [])

    def get(self, path, headers=None):
        return self.s.request("GET", path, headers=headers)

    def clear_mail(self):
        with self.sink.handler.lock:
            self.sink.handler.messages.clear()


class UploadDownloadTest(MaterialsTestBase):
    def test_upload_to_a_talk_and_download_with_cyrillic_name(self):
        ev = self.create_event()
        talk = self.create_talk(ev["id"], "Цифрова община")
        pdf = make_pdf() + os.urandom(5000)
        r = self.upload(f"/api/v1/talks/{talk}/materials", pdf, "Презентация – Русе 2031.pdf", title="Слайдове")
        self.assertEqual(r.status, 201, r.text)
        m = r.json()
        self.assertEqual(m["talk_id"], talk)
        self.assertEqual(m["event_id"], ev["id"])
        self.assertEqual(m["filename"], "Презентация – Русе 2031.pdf")
        self.assertEqual(m["title"], "Слайдове")
        self.assertEqual(m["content_type"], "application/pdf")
        self.assertEqual(m["size"], len(pdf))
        self.assertEqual(m["sha256"], sha(pdf))
        # Stored by a generated name, byte for byte.
        stored = self.s.sql("SELECT stored_name FROM materials WHERE id = ?", m["id"])[0][0]
        self.assertRegex(stored, r"^[0-9a-f]{32}\.pdf$")
        with open(os.path.join(self.s.data_dir, "materials", stored), "rb") as f:
            self.assertEqual(f.read(), pdf)

        path = urllib.parse.urlsplit(m["url"]).path
        self.assertEqual(urllib.parse.unquote(path), f"/materials/{m['id']}/Презентация – Русе 2031.pdf")
        d = self.get(path)
        self.assertEqual(d.status, 200)
        self.assertEqual(d.body, pdf)
        self.assertEqual(d.header("Content-Type"), "application/pdf")
        cd = d.header("Content-Disposition")
        self.assertTrue(cd.startswith('attachment; filename="Prezentatsia - Ruse 2031.pdf"'), cd)
        self.assertIn("filename*=UTF-8''" + urllib.parse.quote("Презентация", safe=""), cd)
        self.assertEqual(d.header("Accept-Ranges"), "bytes")
        etag, modified = d.header("ETag"), d.header("Last-Modified")
        self.assertTrue(etag and modified)
        self.assertEqual(d.header("X-Content-Type-Options"), "nosniff")

        self.assertEqual(self.get(path, {"If-None-Match": etag}).status, 304)
        self.assertEqual(self.get(path, {"If-Modified-Since": modified}).status, 304)
        part = self.get(path, {"Range": "bytes=100-199"})
        self.assertEqual(part.status, 206)
        self.assertEqual(part.body, pdf[100:200])
        self.assertEqual(part.header("Content-Range"), f"bytes 100-199/{len(pdf)}")
        tail = self.get(path, {"Range": "bytes=-10"})
        self.assertEqual((tail.status, tail.body), (206, pdf[-10:]))
        self.assertEqual(self.get(path, {"Range": f"bytes={len(pdf) + 5}-"}).status, 416)
        head = self.s.request("HEAD", path)
        self.assertEqual((head.status, head.body, head.header("Content-Length")), (200, b"", str(len(pdf))))
        # A wrong name in the address leads to the right one; an unknown id is 404.
        wrong = self.get(f"/materials/{m['id']}/old-name.pdf")
        self.assertEqual(wrong.status, 301)
        self.assertEqual(wrong.header("Location"), path)
        self.assertEqual(self.get(f"/materials/999999/x.pdf").status, 404)

    def test_types_by_content_and_the_same_file_twice(self):
        ev = self.create_event()
        pptx, png = make_pptx(), make_png()
        r = self.upload(f"/api/v1/events/{ev['id']}/materials", pptx, "Доклад.pptx")
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(r.json()["content_type"],
                         "application/vnd.openxmlformats-officedocument.presentationml.presentation")
        r = self.upload(f"/api/v1/events/{ev['id']}/materials", png, "снимка.png")
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(r.json()["content_type"], "image/png")
        # A PDF named .pptx keeps its content's extension.
        r = self.upload(f"/api/v1/events/{ev['id']}/materials", make_pdf(), "отчет.pptx")
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(r.json()["filename"], "отчет.pdf")
        files, rows = self.store_files(), self.rows()
        # The same content again for the same event: the existing material, nothing stored.
        again = self.upload(f"/api/v1/events/{ev['id']}/materials", pptx, "друго име.pptx")
        self.assertEqual(again.status, 200, again.text)
        self.assertEqual(again.json()["filename"], "Доклад.pptx")
        self.assertEqual((self.store_files(), self.rows()), (files, rows))
        self.wait_tmp_empty()
        listed = self.api("GET", f"/api/v1/events/{ev['id']}/materials").json()
        self.assertEqual(listed["total"], 3)
        # Rename, attach to a talk, delete.
        talk = self.create_talk(ev["id"])
        mid = listed["items"][0]["id"]
        p = self.api("PATCH", f"/api/v1/materials/{mid}", {"title": "Нов", "talk_id": talk})
        self.assertEqual((p.status, p.json()["title"], p.json()["talk_id"]), (200, "Нов", talk), p.text)
        other = self.create_event()
        other_talk = self.create_talk(other["id"])
        self.assert_invalid(self.api("PATCH", f"/api/v1/materials/{mid}", {"title": "Друго", "talk_id": other_talk}),
                            {"talk_id": "Няма такъв доклад в това събитие."})
        self.assert_invalid(self.api("PATCH", f"/api/v1/materials/{mid}", {"title": "a\x07b", "talk_id": None}),
                            {"title": "Текстът съдържа непозволени управляващи знаци."})
        self.assertEqual(self.s.sql("SELECT title, talk_id FROM materials WHERE id = ?", mid), [("Нов", talk)])
        self.assertEqual(self.api("DELETE", f"/api/v1/materials/{mid}", token=self.other_token).status, 404)
        stored = self.s.sql("SELECT stored_name FROM materials WHERE id = ?", mid)[0][0]
        self.assertEqual(self.api("DELETE", f"/api/v1/materials/{mid}").status, 204)
        self.assertNotIn(stored, self.store_files())
        self.assertEqual(self.get(urllib.parse.urlsplit(listed["items"][0]["url"]).path).status, 404)

    def test_names_are_cleaned_never_used_as_paths(self):
        ev = self.create_event()
        for given, kept in [("../../../etc/passwd.pdf", "passwd.pdf"), ("/abs/path/Доклад.pdf", "Доклад.pdf"),
                            ("C:\\Users\\Мария\\Слайдове.pdf", "Слайдове.pdf"), ("..", "material.pdf"),
                            ("\u202eevil.pdf", "evil.pdf"), ("tab\there.pdf", "tab here.pdf")]:
            r = self.upload(f"/api/v1/events/{ev['id']}/materials", make_pdf(), given)
            self.assertEqual(r.status, 201, (given, r.text))
            self.assertEqual(r.json()["filename"], kept)
        # NUL and control characters: percent-encoded in filename* they are dropped; raw in
        # the part's header they make it malformed (400), and nothing is kept.
        rows = self.rows()
        body, ctype = multipart([("file", make_pdf(), None, None)])
        body = body.replace(b'name="file"', b'name="file"; filename*=UTF-8\'\'a%00b%01c%7F%0D%0A.pdf', 1)
        r = self.api("POST", f"/api/v1/events/{ev['id']}/materials", body=body, headers={"Content-Type": ctype})
        self.assertEqual((r.status, r.json()["filename"]), (201, "abc .pdf"), r.text)
        body, ctype = multipart([("file", make_pdf(), "a\x01b\x00c.pdf", None)])
        r = self.api("POST", f"/api/v1/events/{ev['id']}/materials", body=body, headers={"Content-Type": ctype})
        self.assertEqual((r.status, r.json()["error"]["code"]), (400, "bad_multipart"))
        self.wait_tmp_empty()
        self.assertEqual(self.rows(), rows + 1)
        for name in self.store_files():
            self.assertRegex(name, r"^[0-9a-f]{32}\.pdf$")
        self.assertFalse(os.path.exists(os.path.join(self.s.data_dir, "passwd.pdf")))


class RefusalTest(MaterialsTestBase):
    def assert_nothing_left(self, before):
        self.wait_tmp_empty()
        self.assertEqual((self.store_files(), self.rows()), before)

    def test_each_refusal_leaves_no_file_and_no_row(self):
        ev = self.create_event()
        path = f"/api/v1/events/{ev['id']}/materials"
        before = (self.store_files(), self.rows())

        cases = []
        text, ctype = multipart([("file", b"just text, not a PDF\n" * 50, "fake.pdf", "application/pdf")])
        cases.append(("text named .pdf", text, ctype, 415, "file_type"))
        html, ctype2 = multipart([("file", b"<html><script>alert(1)</script></html>", "x.pdf", "application/pdf")])
        cases.append(("html", html, ctype2, 415, "file_type"))
        empty, ctype3 = multipart([("file", b"", "empty.pdf", "application/pdf")])
        cases.append(("empty file", empty, ctype3, 400, "empty_file"))
        nofile, ctype4 = multipart([("title", "Само заглавие", None, None)])
        cases.append(("no file field", nofile, ctype4, 400, "no_file"))
        good, ctype5 = multipart([("file", make_pdf(), "a.pdf", "application/pdf")])
        cases.append(("truncated", good[:len(good) - 40], ctype5, 400, "truncated_upload"))
        cases.append(("no boundary", good, "multipart/form-data", 400, "missing_boundary"))
        cases.append(("not multipart", make_pdf(), "application/pdf", 415, "not_multipart"))
        two, ctype6 = multipart([("file", make_pdf(), "a.pdf", None), ("file", make_pdf(), "b.pdf", None)])
        cases.append(("two files", two, ctype6, 400, "one_file"))
        long_title, ctype7 = multipart([("title", "я" * 600, None, None), ("file", make_pdf(), "a.pdf", None)])
        cases.append(("overlong field", long_title, ctype7, 400, "field_too_long"))
        bad_utf8, ctype8 = multipart([("title", b"\xff\xfe", None, None), ("file", make_pdf(), "a.pdf", None)])
        cases.append(("invalid UTF-8 title", bad_utf8, ctype8, 400, "invalid_utf8"))
        for label, body, ctype, status, code in cases:
            with self.subTest(label):
                r = self.api("POST", path, body=body, headers={"Content-Type": ctype})
                self.assertEqual(r.status, status, (label, r.text))
                self.assertEqual(r.json()["error"]["code"], code)
                self.assertTrue(r.json()["error"]["message"])
                self.assert_nothing_left(before)

        # Too large: from Content-Length at once, and while streaming a chunked body.
        big, ctype = multipart([("file", make_pdf() + os.urandom(MAX_BYTES), "big.pdf", None)])
        r = self.api("POST", path, body=big, headers={"Content-Type": ctype})
        self.assertEqual(r.status, 413)
        self.assert_nothing_left(before)
        r = self.chunked_upload(path, big, ctype)
        self.assertIn(" 413 ", r.split(b"\r\n")[0].decode())
        self.assert_nothing_left(before)

        # Callers: none, someone else (a published event is known to all: 403; a draft is not
        # told: 404), an event that does not exist, a talk of nobody's.
        self.assertEqual(self.s.request("POST", path, body=good, headers={"Content-Type": ctype5}).status, 401)
        r = self.api("POST", path, body=good, token=self.other_token, headers={"Content-Type": ctype5})
        self.assertEqual((r.status, r.json()["error"]["code"]), (403, "forbidden"))
        draft = self.create_event(publish=False)
        self.assertEqual(self.api("POST", f"/api/v1/events/{draft['id']}/materials", body=good, token=self.other_token,
                                  headers={"Content-Type": ctype5}).status, 404)
        self.assertEqual(self.api("POST", "/api/v1/events/999999/materials", body=good,
                                  headers={"Content-Type": ctype5}).status, 404)
        self.assertEqual(self.api("POST", "/api/v1/talks/999999/materials", body=good,
                                  headers={"Content-Type": ctype5}).status, 404)
        other_talk = self.create_talk(self.create_event()["id"])
        t, tc = multipart([("talk_id", str(other_talk), None, None), ("file", make_pdf(), "a.pdf", None)])
        self.assert_invalid(self.api("POST", path, body=t, headers={"Content-Type": tc}),
                            {"talk_id": "Няма такъв доклад в това събитие."})
        self.assert_nothing_left(before)

    def chunked_upload(self, path, body, ctype):
        with socket.create_connection(("127.0.0.1", self.s.port), timeout=10) as c:
            c.sendall((f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {self.token}\r\n"
                       f"Content-Type: {ctype}\r\nTransfer-Encoding: chunked\r\n\r\n").encode())
            try:
                for i in range(0, len(body), 256 * 1024):
                    piece = body[i:i + 256 * 1024]
                    c.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                c.sendall(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            return c.recv(65536)

    def test_a_client_that_goes_away_mid_upload_leaves_nothing(self):
        ev = self.create_event()
        before = (self.store_files(), self.rows())
        body, ctype = multipart([("file", make_pdf() + os.urandom(2 * 1024 * 1024), "cut.pdf", None)])
        c = socket.create_connection(("127.0.0.1", self.s.port), timeout=10)
        c.sendall((f"POST /api/v1/events/{ev['id']}/materials HTTP/1.1\r\nHost: x\r\n"
                   f"Authorization: Bearer {self.token}\r\nContent-Type: {ctype}\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body[:1024 * 1024])
        deadline = time.monotonic() + 5
        while not self.temp_files() and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(len(self.temp_files()), 1)  # it was streaming into a temporary file
        c.close()
        self.assert_nothing_left(before)

    def test_leftovers_are_swept_at_start_up(self):
        ev = self.create_event()
        r = self.upload(f"/api/v1/events/{ev['id']}/materials", make_pdf(), "остава.pdf")
        self.assertEqual(r.status, 201)
        kept = self.store_files()
        self.s.stop()
        with open(os.path.join(self.s.data_dir, "materials", "tmp", "interrupted.part"), "wb") as f:
            f.write(b"half")
        with open(os.path.join(self.s.data_dir, "materials", "0123456789abcdef0123456789abcdef.pdf"), "wb") as f:
            f.write(b"no row names me")
        self.s.restart()
        self.assertEqual(self.temp_files(), [])
        self.assertEqual(self.store_files(), kept)
        self.assertEqual(self.get(urllib.parse.urlsplit(r.json()["url"]).path).status, 200)


class VisibilityTest(MaterialsTestBase):
    def settings(self, event_id, **body):
        r = self.api("PATCH", f"/api/v1/events/{event_id}/materials/settings", body)
        self.assertEqual(r.status, 200, r.text)
        return r.json()

    def test_every_level_and_the_release_time(self):
        ev = self.create_event()
        m = self.upload(f"/api/v1/events/{ev['id']}/materials", make_pdf(), "Доклад.pdf").json()
        path = urllib.parse.urlsplit(m["url"]).path
        confirmed = self.register(ev["id"], 1)
        attendee = self.register(ev["id"], 2)
        cancelled = self.register(ev["id"], 3)
        self.assertEqual(self.api("PATCH", f"/api/v1/registrations/{attendee['id']}", {"checked_in": True}).status, 200)
        self.assertEqual(self.api("PATCH", f"/api/v1/registrations/{cancelled['id']}", {"status": "cancelled"}).status, 200)

        def key_of(reg):
            page = self.get(urllib.parse.urlsplit(reg["manage_url"]).path)
            self.assertEqual(page.status, 200)
            found = re.search(r'href="(/materials/\d+/[^"?]+)\?key=([^"]+)"', page.text)
            return found.group(2) if found else None

        def status(key=None, organiser=False):
            h = {"Authorization": "Bearer " + self.token} if organiser else {}
            return self.get(path + (f"?key={key}" if key else ""), h).status

        self.assertEqual(status(), 200)  # public by default
        k_confirmed, k_attendee, k_cancelled = key_of(confirmed), key_of(attendee), None
        self.assertTrue(k_confirmed and k_attendee)

        self.settings(ev["id"], materials_visibility="registered")
        self.assertIsNone(key_of(cancelled))  # a cancelled registration's page lists nothing
        k_cancelled = re.sub(r"^\d+", str(cancelled["id"]), k_confirmed)  # forged: id swapped
        self.assertEqual(status(), 404)
        self.assertEqual(status(k_confirmed), 200)
        self.assertEqual(status(k_attendee), 200)
        self.assertEqual(status(k_cancelled), 404)
        self.assertEqual(status(k_confirmed[:-1] + ("0" if k_confirmed[-1] != "0" else "1")), 404)
        self.assertEqual(status(organiser=True), 200)
        # Their registration cancelled now: the same key stops working at once.
        self.assertEqual(self.api("PATCH", f"/api/v1/registrations/{confirmed['id']}", {"status": "cancelled"}).status, 200)
        self.assertEqual(status(k_confirmed), 404)
        self.assertEqual(self.api("PATCH", f"/api/v1/registrations/{confirmed['id']}", {"status": "confirmed"}).status, 200)

        self.settings(ev["id"], materials_visibility="attendees")
        self.assertEqual(status(k_confirmed), 404)
        self.assertEqual(status(k_attendee), 200)
        self.assertEqual(status(), 404)

        self.settings(ev["id"], materials_visibility="organisers")
        self.assertEqual(status(k_attendee), 404)
        self.assertEqual(status(organiser=True), 200)
        self.assertEqual(self.get(path, {"Authorization": "Bearer " + self.other_token}).status, 404)

        # Public, but only once the event starts (2031): not yet, except for organisers.
        s = self.settings(ev["id"], materials_visibility="public", materials_release_at="event_start")
        self.assertEqual(s["released_from"], "2031-09-10T09:00:00+03:00")
        self.assertEqual(status(), 404)
        self.assertEqual(status(k_attendee), 404)
        self.assertEqual(status(organiser=True), 200)
        page = self.get(f"/events/{ev['slug']}/materials")
        self.assertEqual(page.status, 200)
        self.assertIn("ще бъдат достъпни от", page.text)
        self.assertNotIn("/materials/" + str(m["id"]), page.text)
        # A release time in the past, then none.
        self.settings(ev["id"], materials_release_at="2025-01-01T10:00:00+02:00")
        self.assertEqual(status(), 200)
        self.settings(ev["id"], materials_release_at="")
        self.assertEqual(status(), 200)
        before = self.api("GET", f"/api/v1/events/{ev['id']}/materials/settings").json()
        bad = self.api("PATCH", f"/api/v1/events/{ev['id']}/materials/settings", {"materials_visibility": "всички"})
        self.assert_invalid(bad, {"materials_visibility": "Непозната стойност."})
        bad = self.api("PATCH", f"/api/v1/events/{ev['id']}/materials/settings",
                       {"materials_visibility": "public", "materials_release_at": "утре"})
        self.assert_invalid(bad, {"materials_release_at": "Невалидни дата и час."})
        self.assertEqual(self.api("GET", f"/api/v1/events/{ev['id']}/materials/settings").json(), before)
        self.assertEqual(self.api("PATCH", f"/api/v1/events/{ev['id']}/materials/settings", {"x": 1},
                                  token=self.other_token).status, 403)

    def test_drafts_show_nothing_to_visitors(self):
        ev = self.create_event(publish=False)
        m = self.upload(f"/api/v1/events/{ev['id']}/materials", make_pdf(), "чернова.pdf").json()
        path = urllib.parse.urlsplit(m["url"]).path
        self.assertEqual(self.get(path).status, 404)
        self.assertEqual(self.get(path, {"Authorization": "Bearer " + self.token}).status, 200)
        self.assertEqual(self.get(f"/events/{ev['slug']}/materials.zip").status, 404)


class ArchiveTest(MaterialsTestBase):
    def test_download_all_is_a_stored_zip_with_utf8_names(self):
        ev = self.create_event()
        talk = self.create_talk(ev["id"])
        files = {"Въведение.pdf": make_pdf(), "Доклад – община Русе.pptx": make_pptx(), "Снимка.png": make_png()}
        for name, data in files.items():
            r = self.upload(f"/api/v1/talks/{talk}/materials", data, name)
            self.assertEqual(r.status, 201, r.text)
        second = make_pdf()
        self.assertEqual(self.upload(f"/api/v1/events/{ev['id']}/materials", second, "Въведение.pdf").status, 201)
        r = self.get(f"/events/{ev['slug']}/materials.zip")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "application/zip")
        self.assertEqual(r.header("Transfer-Encoding"), "chunked")
        z = zipfile.ZipFile(io.BytesIO(r.body))
        self.assertIsNone(z.testzip())
        got = {i.filename: i for i in z.infolist()}
        want = dict(files)
        want["Въведение (2).pdf"] = files["Въведение.pdf"]
        want["Въведение.pdf"] = second  # the event's own material comes first
        self.assertEqual(set(got), set(want))
        for name, info in got.items():
            self.assertTrue(info.flag_bits & 0x800, name)  # UTF-8 names flagged
            self.assertEqual(info.compress_type, zipfile.ZIP_STORED)
            self.assertEqual(sha(z.read(name)), sha(want[name]))

        # Restricted: only with a key of a confirmed registrant.
        self.api("PATCH", f"/api/v1/events/{ev['id']}/materials/settings", {"materials_visibility": "registered"})
        self.assertEqual(self.get(f"/events/{ev['slug']}/materials.zip").status, 404)
        reg = self.register(ev["id"], 7)
        page = self.get(urllib.parse.urlsplit(reg["manage_url"]).path)
        link = re.search(r'href="(/events/[^"]+/materials\.zip\?key=[^"]+)"', page.text).group(1)
        r = self.get(link.replace("&amp;", "&"))
        self.assertEqual(r.status, 200)
        self.assertEqual(len(zipfile.ZipFile(io.BytesIO(r.body)).namelist()), 4)
        empty = self.create_event()
        self.assertEqual(self.get(f"/events/{empty['slug']}/materials.zip").status, 404)


class AnnouncementTest(MaterialsTestBase):
    def test_one_message_per_registrant_through_the_outbox(self):
        ev = self.create_event(title="Форум „Открито управление“")
        self.assertEqual(self.api("POST", f"/api/v1/events/{ev['id']}/materials/announce", {}).status, 409)
        m = self.upload(f"/api/v1/events/{ev['id']}/materials", make_pdf(), "Програма.pdf").json()
        self.api("PATCH", f"/api/v1/events/{ev['id']}/materials/settings", {"materials_visibility": "registered"})
        a = self.register(ev["id"], 1)
        b = self.register(ev["id"], 2, locale="en")
        c = self.register(ev["id"], 3)
        d = self.register(ev["id"], 4)
        self.api("PATCH", f"/api/v1/registrations/{d['id']}", {"status": "cancelled"})
        self.api("PATCH", f"/api/v1/registrations/{b['id']}", {"checked_in": True})
        self.s.sql("INSERT INTO mail_suppressions (email, source, created_at) VALUES (?, 'test', '2031-01-01T00:00:00Z')",
                   c["email"])
        self.sink.wait_for(5)  # four confirmations and the cancellation of d
        self.clear_mail()
        r = self.api("POST", f"/api/v1/events/{ev['id']}/materials/announce", {"audience": "registered"})
        self.assertEqual(r.status, 202, r.text)
        self.assertEqual((r.json()["queued"], r.json()["suppressed"]), (2, 1))
        got = self.sink.wait_for(2)
        by_rcpt = {rcpts[0]: Sink.parse(raw) for _, rcpts, raw in got}
        self.assertEqual(set(by_rcpt), {a["email"], b["email"]})
        bg = by_rcpt[a["email"]]
        self.assertEqual(str(bg["Subject"]), "Презентациите от „Форум „Открито управление““ са онлайн")
        self.assertEqual(str(by_rcpt[b["email"]]["Subject"]),
                         "The presentations from “Форум „Открито управление“” are online")
        text = bg.get_body(("plain",)).get_content()
        self.assertEqual(str(bg["List-Unsubscribe-Post"]), "List-Unsubscribe=One-Click")
        self.assertRegex(str(bg["List-Unsubscribe"]), r"^<http://\S+/u/[A-Za-z0-9_-]+>$")
        self.assertIn("/u/", text)
        link = re.search(r"(http://\S+/materials\?key=\S+)", text).group(1)
        page = self.get(urllib.parse.urlsplit(link).path + "?" + urllib.parse.urlsplit(link).query)
        self.assertEqual(page.status, 200)
        dl = re.search(r'href="(/materials/\d+/[^"]+)"', page.text).group(1).replace("&amp;", "&")
        self.assertEqual(self.get(dl).body, self.get(urllib.parse.urlsplit(m["url"]).path,
                                                     {"Authorization": "Bearer " + self.token}).body)
        # At once again: nobody is told twice within the hour (issue 12).
        r = self.api("POST", f"/api/v1/events/{ev['id']}/materials/announce", {"audience": "registered"})
        self.assertEqual((r.json()["queued"], r.json()["skipped_recent"]), (0, 2))
        # Only those who attended, an hour later.
        self.s.sql("UPDATE mail_outbox SET created_at = '2000-01-01T00:00:00Z' WHERE kind = 'materials_online'")
        self.clear_mail()
        r = self.api("POST", f"/api/v1/events/{ev['id']}/materials/announce", {"audience": "attendees"})
        self.assertEqual(r.json()["queued"], 1)
        (_, rcpts, _), = self.sink.wait_for(1)
        self.assertEqual(rcpts, [b["email"]])
        self.assert_invalid(self.api("POST", f"/api/v1/events/{ev['id']}/materials/announce", {"audience": "всички"}),
                            {"audience": "Непозната стойност."})
        self.assertEqual(self.api("POST", f"/api/v1/events/{ev['id']}/materials/announce", {},
                                  token=self.other_token).status, 403)


class AdminPageTest(MaterialsTestBase):
    def browser(self):
        b = Browser(self.s)
        b.login("org@ruse.bg", "password-123")
        return b

    def post_multipart(self, b, path, parts):
        body, ctype = multipart(parts)
        h = b._headers({"Content-Type": ctype})
        return b._remember(self.s.request("POST", path, body=body, headers=h))

    def test_upload_rename_attach_settings_delete_from_the_page(self):
        ev = self.create_event()
        talk = self.create_talk(ev["id"], "Отворени данни")
        b = self.browser()
        page = b.get(f"/admin/events/{ev['id']}/materials")
        self.assertEqual(page.status, 200)
        token = Browser.csrf(page)
        path = f"/admin/events/{ev['id']}/materials"
        before = (self.store_files(), self.rows())
        # Without the token, or with the token after the file: refused before anything is kept.
        r = self.post_multipart(b, path, [("file", make_pdf(), "x.pdf", None)])
        self.assertEqual(r.status, 403)
        r = self.post_multipart(b, path, [("file", make_pdf(), "x.pdf", None), ("csrf_token", token, None, None)])
        self.assertEqual(r.status, 403)
        r = self.post_multipart(b, path, [("csrf_token", "0" * 64, None, None), ("file", make_pdf(), "x.pdf", None)])
        self.assertEqual(r.status, 403)
        self.wait_tmp_empty()
        self.assertEqual((self.store_files(), self.rows()), before)
        pdf = make_pdf()
        r = self.post_multipart(b, path, [("csrf_token", token, None, None), ("title", "Отворени данни – слайдове", None, None),
                                          ("talk_id", str(talk), None, None), ("file", pdf, "Слайдове.pdf", None)])
        self.assertEqual(r.status, 303, r.text)
        self.assertIn("notice=uploaded", r.header("Location"))
        mid, title, talk_id = self.s.sql("SELECT id, title, talk_id FROM materials WHERE event_id = ?", ev["id"])[0]
        self.assertEqual((title, talk_id), ("Отворени данни – слайдове", talk))
        page = b.get(path)
        self.assertIn("Слайдове.pdf", page.text)
        r = b.post(f"/admin/materials/{mid}", {"csrf_token": token, "title": "Ново заглавие", "talk_id": ""})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.s.sql("SELECT title, talk_id FROM materials WHERE id = ?", mid)[0], ("Ново заглавие", None))
        r = b.post(f"{path}/settings", {"csrf_token": token, "materials_visibility": "attendees", "release": "at",
                                        "release_at": "2031-09-11T18:00"})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.s.sql("SELECT materials_visibility, materials_release_at FROM events WHERE id = ?", ev["id"])[0],
                         ("attendees", "2031-09-11T15:00:00Z"))
        self.assertEqual(b.post(f"{path}/settings", {"materials_visibility": "public"}).status, 403)
        # A text file named .pdf from the page: a page in Bulgarian that says why, nothing kept.
        r = self.post_multipart(b, path, [("csrf_token", token, None, None), ("file", b"hello\n" * 99, "x.pdf", None)])
        self.assertEqual(r.status, 415)
        self.assertIn("text/html", r.header("Content-Type"))
        self.assertIn("Този вид файл не е позволен", r.text)
        self.wait_tmp_empty()
        self.assertEqual(self.rows(), before[1] + 1)
        # The event page links the materials; the announcement from the page.
        self.assertIn(f'href="/events/{ev["slug"]}/materials"', self.get(f"/events/{ev['slug']}").text)
        self.register(ev["id"], 1)
        self.register(ev["id"], 2)
        self.sink.wait_for(2)
        self.clear_mail()
        # Attendees only, from 2031-09-11 18:00: the registered cannot download them yet.
        self.assertEqual(b.post(f"{path}/announce", {"csrf_token": token, "audience": "registered"}).status, 409)
        r = b.post(f"{path}/settings", {"csrf_token": token, "materials_visibility": "registered", "release": "none"})
        self.assertEqual(r.status, 303)
        r = b.post(f"{path}/announce", {"csrf_token": token, "audience": "registered"})
        self.assertEqual(r.status, 303)
        self.assertIn("queued=2", r.header("Location"))
        self.assertEqual(len(self.sink.wait_for(2)), 2)
        self.assertEqual(b.post(f"{path}/announce", {"audience": "registered"}).status, 403)
        stored = self.s.sql("SELECT stored_name FROM materials WHERE id = ?", mid)[0][0]
        # Deleting asks first (issue 11): the first press changes nothing.
        r = b.post(f"/admin/materials/{mid}/delete", {"csrf_token": token})
        self.assertEqual(r.status, 200)
        self.assertIn("Да се изтрие ли материалът?", r.text)
        self.assertIn(stored, self.store_files())
        r = b.post(f"/admin/materials/{mid}/delete", {"csrf_token": token, "confirm": "1"})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.rows(), before[1])
        self.assertNotIn(stored, self.store_files())

    def test_each_caller_gets_the_one_answer_of_the_declared_routes(self):
        """Issue 13: the organisers' page and the material routes refuse like every other
        route: sign in first; someone else's published event 403, a draft or a material in
        it 404; nothing is stored on the way."""
        ev, draft = self.create_event(), self.create_event(publish=False)
        mid = self.upload(f"/api/v1/events/{ev['id']}/materials", make_pdf(), "a.pdf").json()["id"]
        draft_mid = self.upload(f"/api/v1/events/{draft['id']}/materials", make_pdf(), "b.pdf").json()["id"]
        path = f"/admin/events/{ev['id']}/materials"
        anon = self.get(path)
        self.assertEqual((anon.status, anon.header("Location")), (303, "/login?next=" + path))
        before = (self.store_files(), self.rows())
        other = Browser(self.s)
        other.login("other@varna.bg", "password-456")
        token = Browser.csrf(other.get("/admin"))
        self.assertEqual(other.get(path).status, 403)
        self.assertEqual(other.get(f"/admin/events/{draft['id']}/materials").status, 404)
        upload = [("csrf_token", token, None, None), ("file", make_pdf(), "x.pdf", None)]
        self.assertEqual(self.post_multipart(other, path, upload).status, 403)
        self.assertEqual(self.post_multipart(other, f"/admin/events/{draft['id']}/materials", upload).status, 404)
        self.assertEqual(other.post(f"{path}/settings", {"csrf_token": token, "materials_visibility": "organisers",
                                                         "release": "none"}).status, 403)
        self.assertEqual(other.post(f"/admin/materials/{mid}", {"csrf_token": token, "title": "Чуждо"}).status, 404)
        self.assertEqual(other.post(f"/admin/materials/{mid}/delete", {"csrf_token": token, "confirm": "1"}).status, 404)
        self.assertEqual(self.api("GET", f"/api/v1/materials/{mid}", token=self.other_token).status, 404)
        self.assertEqual(self.api("PATCH", f"/api/v1/materials/{mid}", {"title": "Чуждо"}, token=self.other_token).status, 404)
        self.wait_tmp_empty()
        self.assertEqual((self.store_files(), self.rows()), before)
        self.assertEqual(self.s.sql("SELECT title FROM materials WHERE id = ?", mid)[0][0], "")
        self.assertEqual(self.s.sql("SELECT materials_visibility FROM events WHERE id = ?", ev["id"])[0][0], "public")
        # A draft's materials page is its managers' alone (by session or token).
        self.assertEqual(self.get(f"/events/{draft['slug']}/materials").status, 404)
        self.assertEqual(other.get(f"/events/{draft['slug']}/materials").status, 404)
        self.assertEqual(self.browser().get(f"/events/{draft['slug']}/materials").status, 200)
        self.assertEqual(self.get(f"/events/{draft['slug']}/materials", {"Authorization": "Bearer " + self.token}).status, 200)
        self.assertEqual(self.get(f"/materials/{draft_mid}/b.pdf", {"Authorization": "Bearer " + self.other_token}).status, 404)

    def test_refused_uploads_answer_inside_the_page_with_what_was_typed(self):
        """Issue 11: a refused upload is the page again, the reason by the form, the title and
        talk as typed, nothing stored; never a bare error page."""
        ev = self.create_event()
        talk = self.create_talk(ev["id"], "Водата")
        b = self.browser()
        path = f"/admin/events/{ev['id']}/materials"
        token = Browser.csrf(b.get(path))
        before = (self.store_files(), self.rows())

        def refused(r, status, reason):
            self.assertEqual(r.status, status, r.text[:300])
            self.assertIn('id="upload-form"', r.text)  # the page, with its form
            self.assertIn("Файлът не е качен. " + reason, re.search(r'id="upload-error">([^<]*)<', r.text).group(1))
            self.assertIn(f'href="/admin/events/{ev["id"]}"', r.text)  # the event's menu: a way back

        r = self.post_multipart(b, path, [("csrf_token", token, None, None), ("title", "Слайдове „Вода“", None, None),
                                          ("talk_id", str(talk), None, None), ("file", b"hello\n" * 99, "x.pdf", None)])
        refused(r, 415, "Този вид файл не е позволен")
        self.assertIn('value="Слайдове „Вода“"', r.text.replace("&bdquo;", "„").replace("&ldquo;", "“"))
        self.assertRegex(r.text, rf'<option value="{talk}" selected>')
        r = self.post_multipart(b, path, [("csrf_token", token, None, None), ("title", "Без файл", None, None)])
        refused(r, 400, "Не е избран файл")
        r = self.post_multipart(b, path, [("csrf_token", token, None, None), ("file", b"", "empty.pdf", None)])
        refused(r, 400, "Файлът е празен.")
        # Over the limit inside the route's room for the framing: stopped mid-body, the page says why.
        r = self.post_multipart(b, path, [("csrf_token", token, None, None), ("file", make_pdf() + b"\0" * MAX_BYTES, "big.pdf", None)])
        refused(r, 413, "Той е по-голям от позволените 3 MB.")
        # Far over: refused from the Content-Length before the body is read; back to the page with the reason.
        r = self.post_multipart(b, path, [("csrf_token", token, None, None), ("file", b"\0" * (MAX_BYTES + 200 * 1024), "huge.pdf", None)])
        self.assertEqual((r.status, r.header("Location")), (303, path + "?refused=file_too_large"))
        refused(b.get(r.header("Location")), 200, "Той е по-голям от позволените 3 MB.")
        self.assertNotIn("<script>", b.get(path + "?refused=<script>").text)
        self.wait_tmp_empty()
        self.assertEqual((self.store_files(), self.rows()), before)


if __name__ == "__main__":
    unittest.main()
