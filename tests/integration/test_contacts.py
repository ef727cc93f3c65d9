"""Contacts, imports, invitations with personal links, tracking, decline and unsubscribe."""
import email.header
import io
import os
import re
import time
import unittest
import uuid
import zipfile

from harness import Server, Browser, ROOT, add_organiser, api_request as api, raw_request as raw
from smtp_sink import Sink

FIXTURES = os.path.join(ROOT, "tests/fixtures/contacts")
ALPHABET = "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЬЮЯ"

EVENT = {
    "title": "Форум „Родопи“",
    "kind": "forum",
    "starts_at": "2031-09-15T10:00:00+03:00",
    "ends_at": "2031-09-15T17:00:00+03:00",
    "venue": "Дом на културата",
    "city": "Кърджали",
    "capacity": 0,
    "registration_mode": "invitation",
    "organisers": ["Областна администрация Кърджали"],
}

UTF8_CSV = (
    "name,email,organisation,position,tags,town\r\n"
    "Петя Стоянова,petya@kardzhali.bg,Община Кърджали,Секретар,общини в област Кърджали,Кърджали\r\n"
    "Георги Шишков,GEORGI@Momchilgrad.bg,Община Момчилград,Кмет,общини в област Кърджали;кметове,Момчилград\r\n"
    "Юлия Щерева,yulia@kirkovo.bg,Община Кирково,Експерт,общини в област Кърджали,Кирково\r\n"
    "Без Адрес,,Община Джебел,,общини в област Кърджали,Джебел\r\n"
    "Лош Адрес,не-е-адрес,Община Ардино,,общини в област Кърджали,Ардино\r\n"
    ",noname@example.bg,НПО,,,\r\n"
    "Георги Шишков,georgi@momchilgrad.bg,,Кмет на общината,,\r\n"
).encode("utf-8")


def multipart(fields, files):
    boundary = "----sabor" + uuid.uuid4().hex
    out = b""
    for k, v in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
    for k, (filename, ctype, data) in files.items():
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{filename}"\r\n'
                f"Content-Type: {ctype}\r\n\r\n").encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return out, "multipart/form-data; boundary=" + boundary


def xlsx(rows):
    """The smallest workbook: one sheet of inline strings."""
    def cell(ref, text):
        text = text.replace("&", "&amp;").replace("<", "&lt;")
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'
    data = "".join(f'<row r="{i}">' + "".join(cell(f"{chr(65 + j)}{i}", v) for j, v in enumerate(row)) + "</row>"
                   for i, row in enumerate(rows, 1))
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("_rels/.rels", f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{rel}"><sheets><sheet name="Лист1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{data}</sheetData></worksheet>')
    return out.getvalue()


def decoded_subject(msg):
    return "".join(p.decode(c or "ascii") if isinstance(p, bytes) else p
                   for p, c in email.header.decode_header(msg.get("Subject", failobj="")))


def text_part(msg):
    return next(p for p in msg.walk() if p.get_content_type() == "text/plain").get_content()


def html_part(msg):
    return next(p for p in msg.walk() if p.get_content_type() == "text/html").get_content()


class ImportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server()
        cls.token = add_organiser(cls.s, "org@kardzhali.bg")

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def setUp(self):
        self.s.sql("DELETE FROM contact_tags")  # Python's sqlite3 does not cascade (foreign keys off)
        self.s.sql("DELETE FROM contacts")

    def api(self, method, path, body=None, headers=None):
        return api(self.s, self.token, method, path, body, headers)

    def test_windows_1251_file_with_the_whole_alphabet_through_the_api(self):
        with open(os.path.join(FIXTURES, "obshtini-1251.csv"), "rb") as f:
            data = f.read()
        r = self.api("POST", "/api/v1/contacts/import", data, {"Content-Type": "text/csv"})
        self.assertEqual(r.status, 200, r.text)
        out = r.json()
        self.assertEqual((out["imported"], out["skipped"], out["errors"]), (4, 0, []))
        self.assertEqual(out["encoding"], "windows-1251")
        azbuka = self.api("GET", "/api/v1/contacts?q=azbuka").json()["items"][0]
        self.assertEqual(azbuka["organisation"], ALPHABET)
        self.assertEqual(azbuka["position"], ALPHABET.lower())
        # Cyrillic search ignores case: the query is upper case, the name is not.
        q = "".join("%{:02X}".format(b) for b in "ЩАСТЛИВА".encode())
        found = self.api("GET", "/api/v1/contacts?q=" + q).json()
        self.assertEqual([c["email"] for c in found["items"]], ["shtastliva@example.bg"])
        self.assertEqual(found["items"][0]["organisation_type"], "ngo")
        tag = "".join("%{:02X}".format(b) for b in "кметове".encode())
        by_tag = self.api("GET", "/api/v1/contacts?tag=" + tag).json()
        self.assertEqual(by_tag["total"], 1)
        self.assertEqual(by_tag["items"][0]["email"], "ivan.petrov@sofia.bg")
        self.assertIn("maria.ivanova@plovdiv.bg", [c["email"] for c in self.api("GET", "/api/v1/contacts").json()["items"]])

    def test_utf8_rows_checked_duplicates_merged_and_reported(self):
        self.api("POST", "/api/v1/contacts", {"name": "Петя С.", "email": "Petya@Kardzhali.bg", "phone": "0361 1234",
                                              "tags": ["стар списък"]})
        r = self.api("POST", "/api/v1/contacts/import", UTF8_CSV, {"Content-Type": "text/csv"})
        self.assertEqual(r.status, 200, r.text)
        out = r.json()
        self.assertEqual(out["created"], 2)
        self.assertEqual(out["updated"], 1)  # petya@ existed: merged, not duplicated
        self.assertEqual(out["imported"], 3)
        self.assertEqual(out["merged"], 1)   # Георги twice in the file (address case differs)
        self.assertEqual(out["skipped"], 3)
        reasons = {e["line"]: e["code"] for e in out["errors"]}
        self.assertEqual(reasons, {5: "import_missing_email", 6: "import_bad_email", 7: "import_missing_name"})
        self.assertTrue(all(e["message"] for e in out["errors"]))
        petya = self.api("GET", "/api/v1/contacts?q=petya").json()["items"]
        self.assertEqual(len(petya), 1)
        self.assertEqual(petya[0]["name"], "Петя Стоянова")
        self.assertEqual(petya[0]["phone"], "0361 1234")  # empty in the file: kept
        self.assertEqual(sorted(petya[0]["tags"]), ["общини в област Кърджали", "стар списък"])
        georgi = self.api("GET", "/api/v1/contacts?q=georgi").json()["items"]
        self.assertEqual(len(georgi), 1)
        self.assertEqual(sorted(georgi[0]["tags"]), ["кметове", "общини в област Кърджали"])

    def test_xlsx_through_the_api(self):
        book = xlsx([["Име", "Имейл", "Организация", "Етикети"],
                     ["Йордан Щерев", "Yordan@Ardino.bg", "Община Ардино", "кметове"],
                     ["Без адрес", "", "Община Джебел", ""]])
        r = self.api("POST", "/api/v1/contacts/import", book,
                     {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual((r.json()["imported"], r.json()["skipped"], r.json()["encoding"]), (1, 1, "xlsx"))
        c = self.api("GET", "/api/v1/contacts?q=yordan").json()["items"][0]
        self.assertEqual((c["name"], c["email"], c["tags"]), ("Йордан Щерев", "yordan@ardino.bg", ["кметове"]))
        broken = self.api("POST", "/api/v1/contacts/import", book[:200], {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
        self.assertEqual(broken.status, 422)
        self.assertEqual(broken.json()["error"]["code"], "import_not_xlsx")

    def test_surname_and_middle_name_joined_and_ignored_columns_listed(self):
        # The usual Bulgarian sheet: the name in three columns, a note and an unnamed column besides.
        data = ("Име;Презиме;Фамилия;Имейл;Бележки;\r\n"
                "Петя;Иванова;Стоянова;petya@kardzhali.bg;кмет;стая 5\r\n"
                "Георги;;Шишков;georgi@momchilgrad.bg;;\r\n").encode("cp1251")
        b = Browser(self.s, lang="bg")
        b.login("org@kardzhali.bg", "password-123")
        page = b.get("/admin/contacts/import")
        body, ctype = multipart({"csrf_token": Browser.csrf(page)}, {"file": ("общини.csv", "text/csv", data)})
        preview = b._remember(self.s.request("POST", "/admin/contacts/import", body=body,
                                             headers=b._headers({"Content-Type": ctype})))
        self.assertEqual(preview.status, 200, preview.text)
        self.assertIn("Петя Иванова Стоянова", preview.text)
        self.assertIn("Георги Шишков", preview.text)
        ignored = re.search(r'<ul class="ignored-columns">(.*?)</ul>', preview.text).group(1)
        self.assertEqual(re.findall(r"<li>(.*?)</li>", ignored), ["Бележки", "колона F (без заглавие)"])
        upload = re.search(r'name="upload" value="([^"]+)"', preview.text).group(1)
        r = b.post("/admin/contacts/import/confirm", {"csrf_token": Browser.csrf(preview), "upload": upload, "kind": "csv"})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.s.sql("SELECT name FROM contacts ORDER BY email"),
                         [("Георги Шишков",), ("Петя Иванова Стоянова",)])

        # English headers in a workbook through the API, the ignored columns in the answer.
        book = xlsx([["First name", "Last name", "Email", "Notes"],
                     ["Yordan", "Shterev", "yordan@ardino.bg", "x"]])
        r = self.api("POST", "/api/v1/contacts/import", book,
                     {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      "Accept-Language": "en"})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["ignored_columns"], ["Notes"])
        self.assertEqual(self.api("GET", "/api/v1/contacts?q=yordan").json()["items"][0]["name"], "Yordan Shterev")

    def test_a_file_refused_as_a_whole_changes_nothing(self):
        cases = [
            ("organisation,position\r\nОбщина,Кмет\r\n".encode(), "import_missing_columns"),
            ("име;длъжност\r\nИван;Кмет\r\n".encode(), "import_missing_columns"),
            (b"name,email\r\n\x98\x98\x98\x83\x81,a@b.bg\r\n", "import_encoding"),
            (b"name,email\r\n\"Ivan,ivan@x.bg\r\n", "import_broken_quoting"),
            (b"", "import_empty"),
        ]
        for body, code in cases:
            r = self.api("POST", "/api/v1/contacts/import", body, {"Content-Type": "text/csv", "Accept-Language": "bg"})
            self.assertEqual(r.status, 422, (code, r.text))
            self.assertEqual(r.json()["error"]["code"], code)
            self.assertTrue(r.json()["error"]["message"])
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM contacts")[0][0], 0)
        missing = self.api("POST", "/api/v1/contacts/import", b"organisation\r\nX\r\n", {"Content-Type": "text/csv"})
        self.assertIn("имейл", missing.json()["error"]["message"])

    def test_a_50_mb_file_is_refused_from_its_header(self):
        out = raw(self.s.port, b"POST /api/v1/contacts/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                  self.token.encode() + b"\r\nContent-Type: text/csv\r\nContent-Length: 52428800\r\n\r\nname,email\r\n", timeout=3)
        self.assertTrue(out.startswith(b"HTTP/1.1 413"), out[:80])

    def test_only_organisers_see_contacts(self):
        self.api("POST", "/api/v1/contacts", {"name": "Иван", "email": "ivan@x.bg"})
        self.assertEqual(self.s.request("GET", "/api/v1/contacts").status, 401)
        self.assertEqual(self.s.request("POST", "/api/v1/contacts/import", UTF8_CSV).status, 401)
        self.assertEqual(self.s.request("GET", "/admin/contacts").status, 303)
        self.assertEqual(self.s.request("GET", "/admin/contacts.csv").status, 303)

    def test_edit_tag_delete_and_bad_input(self):
        r = self.api("POST", "/api/v1/contacts", {"name": "Иван Иванов", "email": "Ivan@Example.bg", "tags": ["НПО"]})
        self.assertEqual(r.status, 201, r.text)
        c = r.json()
        self.assertEqual(c["email"], "ivan@example.bg")
        self.assertEqual(self.api("POST", "/api/v1/contacts", {"name": "Друг", "email": "IVAN@example.bg"}).status, 409)
        bad = [
            {"name": "<script>alert(1)</script>"},
            {"name": "Ред\r\nBcc: x@y.bg"},
            {"email": "не е адрес"},
            {"tags": "НПО"},
            {"tags": ["<b>"]},
            {"organisation_type": "космос"},
            {"name": "x" * 201},
            {"unknown": 1},
            {"name": 5},
        ]
        for body in bad:
            r = self.api("PATCH", f"/api/v1/contacts/{c['id']}", body)
            self.assertEqual(r.status, 422, (body, r.text))
            self.assertEqual(r.json()["error"]["code"], "validation")
        self.assertEqual(self.api("GET", f"/api/v1/contacts/{c['id']}").json()["name"], "Иван Иванов")
        r = self.api("PATCH", f"/api/v1/contacts/{c['id']}", {"town": "Кърджали", "tags": ["кметове", "НПО"]})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(sorted(r.json()["tags"]), ["НПО", "кметове"])
        bad_utf8 = self.s.request("PATCH", f"/api/v1/contacts/{c['id']}", body=b'{"name": "\xff\xfe"}',
                                  headers={"Authorization": "Bearer " + self.token, "Content-Type": "application/json"})
        self.assertIn(bad_utf8.status, (400, 422))
        self.assertEqual(self.api("DELETE", f"/api/v1/contacts/{c['id']}").status, 204)
        self.assertEqual(self.api("GET", f"/api/v1/contacts/{c['id']}").status, 404)
        self.assertEqual(self.api("DELETE", "/api/v1/contacts/999999").status, 404)

    def test_import_page_with_preview_then_list_search_bulk_and_export(self):
        b = Browser(self.s, lang="bg")
        b.login("org@kardzhali.bg", "password-123")
        page = b.get("/admin/contacts/import")
        self.assertEqual(page.status, 200)
        with open(os.path.join(FIXTURES, "obshtini-1251.csv"), "rb") as f:
            data = f.read()
        body, ctype = multipart({"csrf_token": Browser.csrf(page), "tag": "покани 2031"},
                                {"file": ("общини.csv", "text/csv", data)})
        no_csrf, ctype2 = multipart({"csrf_token": "0" * 64}, {"file": ("a.csv", "text/csv", data)})
        self.assertEqual(b.s.request("POST", "/admin/contacts/import", body=no_csrf,
                                     headers=b._headers({"Content-Type": ctype2})).status, 403)
        preview = b._remember(self.s.request("POST", "/admin/contacts/import", body=body,
                                             headers=b._headers({"Content-Type": ctype})))
        self.assertEqual(preview.status, 200, preview.text)
        self.assertIn("Щастлива Жълтева-Юрукова", preview.text)
        self.assertIn(ALPHABET, preview.text)
        self.assertIn('<dt>Нови контакти</dt><dd class="count-new">4</dd>', preview.text)
        self.assertIn("windows-1251", preview.text)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM contacts")[0][0], 0)  # nothing before confirming
        upload = re.search(r'name="upload" value="([^"]+)"', preview.text).group(1)
        r = b.post("/admin/contacts/import/confirm", {"csrf_token": Browser.csrf(preview), "upload": upload, "kind": "csv",
                                                      "tag": "покани 2031"})
        self.assertEqual(r.status, 303)
        listing = b.get(r.header("Location"))
        self.assertIn("Нови контакти: 4.", listing.text)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM contact_tags WHERE tag = 'покани 2031'")[0][0], 4)
        again = b.post("/admin/contacts/import/confirm", {"csrf_token": Browser.csrf(preview), "upload": upload, "kind": "csv"})
        self.assertEqual(again.status, 404)  # the upload is used once
        bad = b.post("/admin/contacts/import/confirm", {"csrf_token": Browser.csrf(preview), "upload": "../../etc/passwd", "kind": "csv"})
        self.assertEqual(bad.status, 400)

        q = "".join("%{:02X}".format(x) for x in "щастлива".encode())
        found = b.get("/admin/contacts?q=" + q)
        self.assertIn("shtastliva@example.bg", found.text)
        self.assertNotIn("ivan.petrov@sofia.bg", found.text)
        ids = [str(r[0]) for r in self.s.sql("SELECT id FROM contacts WHERE email LIKE '%example.bg' ORDER BY id")]
        r = b.post("/admin/contacts/bulk", [("csrf_token", Browser.csrf(found)), ("bulk_action", "tag"), ("tag", "Ямбол")] +
                   [("ids", i) for i in ids])
        self.assertEqual(r.status, 303)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM contact_tags WHERE tag = 'Ямбол'")[0][0], 2)
        self.s.sql("UPDATE contacts SET name = '=HYPERLINK(\"http://x\")' WHERE email = 'azbuka@example.bg'")
        csv = b.get("/admin/contacts.csv")
        self.assertEqual(csv.status, 200)
        self.assertTrue(csv.body.startswith(b"\xef\xbb\xbf"))
        self.assertIn("'=HYPERLINK", csv.text)
        self.assertIn("Щастлива Жълтева-Юрукова", csv.text)
        # The export imports back as it is.
        r = self.api("POST", "/api/v1/contacts/import", csv.body, {"Content-Type": "text/csv"})
        self.assertEqual(r.json()["updated"], 4, r.text)
        self.assertEqual(r.json()["skipped"], 0, r.text)


class InvitationTest(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        self.s = Server(env={"SABOR_MAIL_SMTP_URL": self.sink.url, "SABOR_MAIL_RETRY_FIRST_SECONDS": "1",
                             "SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "0", "SABOR_MAIL_FROM": "Областна администрация <events@kardzhali.bg>"})
        self.token = add_organiser(self.s, "org@kardzhali.bg")
        self.event = self.create_event(EVENT)
        r = self.api("POST", "/api/v1/contacts/import", UTF8_CSV, {"Content-Type": "text/csv"})
        assert r.status == 200, r.text

    def tearDown(self):
        self.s.close()
        self.sink.stop()

    def api(self, method, path, body=None, headers=None):
        return api(self.s, self.token, method, path, body, headers)

    def create_event(self, fields, publish=True):
        ev = self.api("POST", "/api/v1/events", fields).json()
        if publish:
            self.api("POST", f"/api/v1/events/{ev['id']}/publish")
        return ev

    def invite(self, event=None, **kw):
        body = {"tag": "общини в област Кърджали", "subject": "Покана: {{event_title}}",
                "body": "Уважаеми {{name}} ({{organisation}}),\n\nКаним Ви на {{event_title}}, {{event_date}}, {{venue}}.\n\n{{link}}"}
        body.update(kw)
        return self.api("POST", f"/api/v1/events/{(event or self.event)['id']}/invitations", body)

    def invitations(self, event=None):
        return {i["email"]: i for i in self.api("GET", f"/api/v1/events/{(event or self.event)['id']}/invitations").json()["items"]}

    def wait_status(self, email, status, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.invitations().get(email, {}).get("status")
            if got == status:
                return
            time.sleep(0.1)
        self.fail(f"{email} is {got}, not {status}")

    def delivered(self, n):
        return {rc[0]: Sink.parse(raw) for (_, rc, raw) in self.sink.wait_for(n)}

    @staticmethod
    def token_in(msg):
        return re.search(r"/i/([A-Za-z0-9_-]+)", text_part(msg)).group(1)

    def test_campaign_delivered_with_personal_links_and_unsubscribe_headers(self):
        r = self.invite()
        self.assertEqual(r.status, 201, r.text)
        camp = r.json()
        self.assertEqual(camp["status"], "queued")
        self.assertEqual(camp["counts"]["invited"], 3)
        msgs = self.delivered(3)
        self.assertEqual(sorted(msgs), ["georgi@momchilgrad.bg", "petya@kardzhali.bg", "yulia@kirkovo.bg"])
        links = set()
        for to, m in msgs.items():
            self.assertEqual(decoded_subject(m), "Покана: Форум „Родопи“")
            text = text_part(m)
            link = re.search(r"http://127\.0\.0\.1:8080/i/([A-Za-z0-9_-]{32,})", text)
            self.assertTrue(link, text)
            links.add(link.group(1))
            self.assertIn(link.group(0), html_part(m))
            unsub = re.fullmatch(r"<(http://127\.0\.0\.1:8080/u/[A-Za-z0-9_-]+)>", str(m["List-Unsubscribe"]))
            self.assertTrue(unsub, m["List-Unsubscribe"])
            self.assertEqual(str(m["List-Unsubscribe-Post"]), "List-Unsubscribe=One-Click")
            self.assertIn(unsub.group(1), text)       # a visible link too
            self.assertIn(unsub.group(1), html_part(m))
            self.assertNotIn(to, unsub.group(1))      # the address is sealed, not shown
        self.assertIn("Уважаеми Георги Шишков (Община Момчилград)", text_part(msgs["georgi@momchilgrad.bg"]))
        self.assertIn("Дом на културата", text_part(msgs["georgi@momchilgrad.bg"]))
        self.assertEqual(len(links), 3)  # distinct personal links
        self.assertEqual(self.s.sql("SELECT COUNT(DISTINCT token_hash) FROM invitations")[0][0], 3)
        self.assertFalse(any(len(t) < 40 for (t,) in self.s.sql("SELECT token_hash FROM invitations")))
        for email in msgs:
            self.wait_status(email, "sent")
        # A contact already invited is not invited twice.
        again = self.invite().json()
        self.assertEqual(again["counts"]["invited"], 0)
        self.assertEqual(again["counts"]["skipped_already_invited"], 3)

    def test_registration_through_a_link_and_refusals(self):
        self.invite()
        msgs = self.delivered(3)
        token = self.token_in(msgs["petya@kardzhali.bg"])
        page = self.s.request("GET", "/i/" + token)
        self.assertEqual(page.status, 200, page.text)
        self.assertIn('value="Петя Стоянова"', page.text)
        self.assertIn('value="petya@kardzhali.bg"', page.text)
        self.assertIn(f'name="invitation" value="{token}"', page.text)
        eid = self.event["id"]
        person = {"name": "Петя Стоянова", "email": "petya@kardzhali.bg", "consent": True}
        r = self.s.request("POST", f"/api/v1/events/{eid}/registrations", person)
        self.assertEqual(r.status, 403)
        self.assertEqual(r.json()["error"]["code"], "invitation_only")
        forged = self.s.request("POST", f"/api/v1/events/{eid}/registrations", dict(person, invitation="x" * 32))
        self.assertEqual(forged.status, 403)
        self.assertEqual(forged.json()["error"]["code"], "invitation_invalid")
        r = self.s.request("POST", f"/api/v1/events/{eid}/registrations", dict(person, invitation=token))
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(r.json()["status"], "confirmed")
        reused = self.s.request("POST", f"/api/v1/events/{eid}/registrations",
                                dict(person, email="someone.else@x.bg", invitation=token))
        self.assertEqual(reused.status, 403)
        self.assertEqual(reused.json()["error"]["code"], "invitation_used")
        self.assertEqual(self.invitations()["petya@kardzhali.bg"]["status"], "registered")
        self.assertEqual(self.invitations()["petya@kardzhali.bg"]["registration_id"], r.json()["id"])
        self.assertIn("вече има регистрация", self.s.request("GET", "/i/" + token).text)
        # Another event's invitation does not open this one.
        other = self.create_event(dict(EVENT, title="Друго събитие"))
        wrong = self.s.request("POST", f"/api/v1/events/{other['id']}/registrations",
                               dict(person, email="georgi@momchilgrad.bg", invitation=self.token_in(msgs["georgi@momchilgrad.bg"])))
        self.assertEqual(wrong.json()["error"]["code"], "invitation_invalid")

        # Through the form in a browser: the page's form carries the token.
        b = Browser(self.s, lang="bg")
        yulia = self.token_in(msgs["yulia@kirkovo.bg"])
        page = b.get("/i/" + yulia)
        r = b.post("/events/" + self.event["slug"] + "/register",
                   {"csrf_token": Browser.csrf(page), "invitation": yulia, "name": "Юлия Щерева", "email": "yulia@kirkovo.bg",
                    "consent": "1"})
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(self.invitations()["yulia@kirkovo.bg"]["status"], "registered")
        plain = b.get("/events/" + self.event["slug"] + "/register")
        self.assertEqual(plain.status, 409)  # no open form for an invitation-only event
        self.assertIn("само с покана", b.get("/events/" + self.event["slug"]).text)

    def test_decline_needs_a_button_and_csrf(self):
        self.invite()
        msgs = self.delivered(3)
        token = self.token_in(msgs["georgi@momchilgrad.bg"])
        b = Browser(self.s, lang="bg")
        page = b.get(f"/i/{token}/decline")  # a mail scanner's GET changes nothing
        self.assertEqual(page.status, 200)
        self.assertEqual(self.invitations()["georgi@momchilgrad.bg"]["declined_at"], None)
        self.assertEqual(b.post(f"/i/{token}/decline", {"csrf_token": "0" * 64}).status, 403)
        r = b.post(f"/i/{token}/decline", {"csrf_token": Browser.csrf(page)})
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("няма да участвате", r.text)
        self.assertEqual(self.invitations()["georgi@momchilgrad.bg"]["status"], "declined")
        self.assertEqual(self.s.request("GET", "/i/forged-token-that-is-not-there").status, 404)

    def test_unsubscribe_is_honoured_from_then_on(self):
        self.invite()
        msgs = self.delivered(3)
        url = re.search(r"<http://127\.0\.0\.1:8080(/u/[A-Za-z0-9_-]+)>", str(msgs["yulia@kirkovo.bg"]["List-Unsubscribe"])).group(1)
        page = self.s.request("GET", url)
        self.assertEqual(page.status, 200)
        self.assertIn("yulia@kirkovo.bg", page.text)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM mail_suppressions")[0][0], 0)  # GET changes nothing
        # RFC 8058: the mail client POSTs without cookies or CSRF token.
        r = self.s.request("POST", url, "List-Unsubscribe=One-Click", {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(self.s.sql("SELECT email FROM mail_suppressions"), [("yulia@kirkovo.bg",)])
        yulia = self.api("GET", "/api/v1/contacts?q=yulia").json()["items"][0]
        self.assertTrue(yulia["unsubscribed"])
        self.assertEqual(self.s.request("POST", url[:-4] + "AAAA", "List-Unsubscribe=One-Click").status, 404)
        other = self.create_event(dict(EVENT, title="Второ събитие"))
        camp = self.invite(event=other).json()
        self.assertEqual(camp["counts"]["invited"], 2)
        self.assertEqual(camp["counts"]["skipped_unsubscribed"], 1)
        self.sink.wait_for(5)
        self.s.round()
        self.assertEqual(sum(1 for (_, rc, _) in self.sink.handler.messages if rc == ["yulia@kirkovo.bg"]), 1)
        # Resending skips them too (an hour later: within the hour nobody gets a second one, issue 12).
        self.s.sql("UPDATE invitation_links SET created_at = '2000-01-01T00:00:00Z'")
        r = self.api("POST", f"/api/v1/events/{self.event['id']}/invitations/resend", {})
        self.assertEqual(r.json(), {"resent": 2, "skipped": 1, "skipped_recent": 0})

    def test_resend_to_those_who_have_not_answered_and_a_failure_reason(self):
        self.sink.handler.script = ["550 5.1.1 <x>: Recipient address rejected: no such user"]
        self.invite()
        self.sink.wait_for(2)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "failed" not in [i["status"] for i in self.invitations().values()]:
            time.sleep(0.1)
        failed = [i for i in self.invitations().values() if i["status"] == "failed"]
        self.assertEqual(len(failed), 1)
        self.assertIn("no such user", failed[0]["reason"])
        sent = {rc[0]: Sink.parse(raw) for (_, rc, raw) in self.sink.handler.messages}
        registered, declined = sorted(sent)[:2]
        eid = self.event["id"]
        r = self.s.request("POST", f"/api/v1/events/{eid}/registrations",
                           {"name": "Регистриран", "email": registered, "consent": True, "invitation": self.token_in(sent[registered])})
        self.assertEqual(r.status, 201, r.text)
        b = Browser(self.s)
        page = b.get(f"/i/{self.token_in(sent[declined])}/decline")
        b.post(f"/i/{self.token_in(sent[declined])}/decline", {"csrf_token": Browser.csrf(page)})
        r = self.api("POST", f"/api/v1/events/{eid}/invitations/resend", {})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["resent"], 1)  # only the one whose message failed
        deadline = time.monotonic() + 20
        resent = []
        while not resent and time.monotonic() < deadline:
            resent = [Sink.parse(raw) for (_, rc, raw) in list(self.sink.handler.messages) if rc == [failed[0]["email"]]]
            time.sleep(0.1)
        self.assertEqual(len(resent), 1)
        self.wait_status(failed[0]["email"], "sent")
        self.assertEqual(self.s.request("GET", "/i/" + self.token_in(resent[0])).status, 200)

    def test_each_field_answers_its_own_mistake(self):
        """A contact's and a campaign's fields each get their own message; resend names the first."""
        en = {"Accept-Language": "en"}
        unknown = "Unknown field."
        r = self.api("POST", "/api/v1/contacts", {"name": 5, "email": "a@b.bg", "tags": ["a", 2], "colour": 1}, en)
        self.assertEqual(r.status, 422, r.text)
        self.assertEqual(r.json()["error"]["fields"], {"name": "The value must be text.",
                                                       "tags": "The value must be a list of texts.", "colour": unknown})
        r = self.api("PATCH", "/api/v1/contacts/1", {"tags": "НПО", "\u043a" * 60: 1}, en)
        self.assertEqual(r.status, 422, r.text)
        self.assertEqual(r.json()["error"]["fields"], {"tags": "The value must be a list of texts.", "к" * 60: unknown})
        eid = self.event["id"]
        r = self.api("POST", f"/api/v1/events/{eid}/invitations",
                     {"subject": 1, "body": "x", "tag": 2, "tags": "x", "all": "yes", "locale": "de", "send_at": "soon",
                      "town": None, "colour": 1}, en)
        self.assertEqual(r.status, 422, r.text)
        self.assertEqual(r.json()["error"]["fields"], {
            "subject": "The value must be text.", "tag": "The value must be text.",
            "tags": "The value must be a list of texts.", "all": "The value must be true or false.",
            "locale": "Unknown value.", "send_at": "Invalid date and time.", "town": "The value must be text.",
            "colour": unknown})
        for body, message in [({"campaign_id": "1"}, "Unknown value."), ({"campaign_id": 0}, "Unknown value."),
                              ({"campaign_id": 18446744073709551615}, "Unknown value."),
                              ({"x": 1, "campaign_id": "1"}, unknown), ({"campaign_id": 1, "x": 1}, unknown)]:
            r = self.api("POST", f"/api/v1/events/{eid}/invitations/resend", body, en)
            self.assertEqual(r.status, 422, (body, r.text))
            self.assertEqual(r.json()["error"], {"code": "validation", "message": message})
        draft = self.create_event(dict(EVENT, title="Чернова"), publish=False)
        r = self.api("POST", f"/api/v1/events/{draft['id']}/invitations", {"tag": "x", "subject": "П", "body": "x"}, en)
        self.assertEqual(r.status, 409, r.text)
        self.assertEqual(r.json()["error"], {
            "code": "event_not_published",
            "message": "The event is not published: invitations can only be sent for published events."})

    def test_bad_campaigns_are_refused_and_change_nothing(self):
        eid = self.event["id"]
        cases = [
            ({"tag": "общини в област Кърджали", "subject": "Покана", "body": "Здравейте, {{ime}}!"}, "body"),
            ({"tag": "общини в област Кърджали", "subject": "Покана {{#name}}", "body": "x"}, "subject"),
            ({"tag": "общини в област Кърджали", "subject": "Покана\r\nBcc: x@y.bg", "body": "x"}, "subject"),
            ({"tag": "общини в област Кърджали", "subject": "", "body": "x"}, "subject"),
            ({"tag": "общини в област Кърджали", "subject": "Покана", "body": "{{{name}}}"}, "body"),
            ({"subject": "Покана", "body": "x"}, "tag"),
            ({"tag": 5, "subject": "Покана", "body": "x"}, "tag"),
            ({"tag": "общини в област Кърджали", "subject": "Покана", "body": "x", "send_at": "утре"}, "send_at"),
            ({"tag": "общини в област Кърджали", "subject": "Покана", "body": "x", "bcc": "x"}, "bcc"),
        ]
        for body, field in cases:
            r = self.api("POST", f"/api/v1/events/{eid}/invitations", body)
            self.assertEqual(r.status, 422, (body, r.text))
            self.assertIn(field, r.json()["error"]["fields"], r.text)
        r = self.api("POST", f"/api/v1/events/{eid}/invitations",
                     {"tag": "x", "subject": "Покана", "body": "Здравейте, {{ime}}!"}, {"Accept-Language": "bg"})
        self.assertIn("{{ime}}", r.json()["error"]["fields"]["body"])
        draft = self.create_event(dict(EVENT, title="Чернова"), publish=False)
        self.assertEqual(self.invite(event=draft).status, 409)
        self.assertEqual(self.api("POST", "/api/v1/events/999999/invitations", {}).status, 404)
        add_organiser(self.s, "other@x.bg")
        other = self.s.cli("token", "create", "--email", "other@x.bg").stdout.strip()
        r = api(self.s, other, "POST", f"/api/v1/events/{eid}/invitations",
                {"tag": "общини в област Кърджали", "subject": "Покана", "body": "x"})
        # Someone else's published event is known to everybody: 403; a draft is not told: 404.
        self.assertEqual((r.status, r.json()["error"]["code"]), (403, "forbidden"))
        self.assertEqual(api(self.s, other, "GET", f"/api/v1/events/{eid}/invitations").status, 403)
        self.assertEqual(api(self.s, other, "GET", f"/api/v1/events/{draft['id']}/invitations").status, 404)
        self.assertEqual(self.s.request("GET", f"/api/v1/events/{eid}/invitations").status, 401)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM invitation_campaigns")[0][0], 0)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM mail_outbox")[0][0], 0)

    def test_admin_page_previews_sends_and_counts(self):
        b = Browser(self.s, lang="bg")
        b.login("org@kardzhali.bg", "password-123")
        eid = self.event["id"]
        page = b.get(f"/admin/events/{eid}/invitations")
        self.assertEqual(page.status, 200, page.text)
        form = {"csrf_token": Browser.csrf(page), "tags": "кметове", "subject": "Покана за {{name}}",
                "body": "Здравейте, {{name}} от {{organisation}}!", "locale": "bg", "send_at": ""}
        preview = b.post(f"/admin/events/{eid}/invitations", dict(form, action="preview"))
        self.assertEqual(preview.status, 200, preview.text)
        self.assertIn("Покана за Георги Шишков", preview.text)
        self.assertIn("Здравейте, Георги Шишков от Община Момчилград!", preview.text)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM mail_outbox")[0][0], 0)
        bad = b.post(f"/admin/events/{eid}/invitations", dict(form, body="{{nme}}", action="send"))
        self.assertEqual(bad.status, 422)
        self.assertIn("{{nme}}", bad.text)
        r = b.post(f"/admin/events/{eid}/invitations", dict(form, action="send"))
        self.assertEqual(r.status, 303)
        msgs = self.delivered(1)
        self.assertIn("georgi@momchilgrad.bg", msgs)
        listing = b.get(r.header("Location"))
        self.assertIn("georgi@momchilgrad.bg", listing.text)
        self.assertRegex(listing.text, r'class="count-invited">1<')
        self.assertEqual(Browser(self.s).get(f"/admin/events/{eid}/invitations").status, 303)

    def test_an_events_invitations_are_its_managers_the_address_book_every_organisers(self):
        eid = self.event["id"]
        draft = self.create_event(dict(EVENT, title="Чернова"), publish=False)
        add_organiser(self.s, "other@x.bg")
        b = Browser(self.s, lang="bg")
        b.login("other@x.bg", "password-123")
        # The shared address book: every organiser sees it.
        self.assertEqual(b.get("/admin/contacts").status, 200)
        self.assertIn("georgi@momchilgrad.bg", b.get("/admin/contacts").text)
        self.assertEqual(b.get("/api/v1/contacts").status, 200)
        # Someone else's event: its invitations are not theirs (published: 403, draft: 404).
        self.assertEqual(b.get(f"/admin/events/{eid}/invitations").status, 403)
        self.assertEqual(b.get(f"/admin/events/{draft['id']}/invitations").status, 404)
        form = {"csrf_token": Browser.csrf(b.get("/admin/contacts")), "tags": "кметове", "subject": "Покана",
                "body": "Здравейте!", "locale": "bg", "send_at": "", "action": "send"}
        self.assertEqual(b.post(f"/admin/events/{eid}/invitations", form).status, 403)
        self.assertEqual(b.post(f"/admin/events/{eid}/invitations/resend", form).status, 403)
        # A browser session reads the API but does not write with it.
        r = self.s.request("POST", "/api/v1/contacts", body={"name": "Иван", "email": "ivan@x.bg"},
                           headers=b._headers())
        self.assertEqual((r.status, r.json()["error"]["code"]), (403, "token_required"))
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM invitation_campaigns")[0][0], 0)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM contacts WHERE email = 'ivan@x.bg'")[0][0], 0)


class ScheduledTest(unittest.TestCase):
    def test_a_campaign_goes_out_at_its_time_and_survives_a_restart(self):
        sink = Sink()
        s = Server(env={"SABOR_MAIL_SMTP_URL": sink.url, "SABOR_MAIL_RETRY_FIRST_SECONDS": "1"})
        try:
            token = add_organiser(s, "org@kardzhali.bg")
            ev = api(s, token, "POST", "/api/v1/events", EVENT).json()
            api(s, token, "POST", f"/api/v1/events/{ev['id']}/publish")
            api(s, token, "POST", "/api/v1/contacts/import", UTF8_CSV, {"Content-Type": "text/csv"})
            send_at = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 3600))
            r = api(s, token, "POST", f"/api/v1/events/{ev['id']}/invitations",
                    {"tag": "кметове", "subject": "Покана", "body": "Здравейте, {{name}}!", "send_at": send_at})
            self.assertEqual(r.status, 201, r.text)
            self.assertEqual(r.json()["status"], "scheduled")
            # A second one, called off before its time, never goes out.
            other = api(s, token, "POST", f"/api/v1/events/{ev['id']}/invitations",
                        {"tag": "общини в област Кърджали", "subject": "Отменена", "body": "x", "send_at": send_at}).json()
            cancel = f"/api/v1/events/{ev['id']}/invitation-campaigns/{other['id']}/cancel"
            self.assertEqual(api(s, token, "POST", cancel).json()["status"], "cancelled")
            self.assertEqual(api(s, token, "POST", cancel).status, 409)
            s.round()  # a round of the scheduler passes: not due yet
            self.assertEqual(s.sql("SELECT COUNT(*) FROM mail_outbox")[0][0], 0)
            self.assertEqual(len(sink.handler.messages), 0)
            # Two hours later (the clock moved forward), after a restart: sent on its own.
            s.stop()
            s.env["SABOR_TEST_NOW_OFFSET"] = "7200"
            s.restart()
            (_, rcpts, raw), = sink.wait_for(1, timeout=20)
            self.assertEqual(rcpts, ["georgi@momchilgrad.bg"])
            self.assertIn("Здравейте, Георги Шишков!", text_part(Sink.parse(raw)))
            camps = {c["subject"]: c for c in api(s, token, "GET", f"/api/v1/events/{ev['id']}/invitation-campaigns").json()["items"]}
            self.assertEqual(camps["Покана"]["status"], "queued")
            self.assertEqual(camps["Отменена"]["status"], "cancelled")
            s.round()
            self.assertEqual(len(sink.handler.messages), 1)  # once only
        finally:
            s.close()
            sink.stop()


if __name__ == "__main__":
    unittest.main()
