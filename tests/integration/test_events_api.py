"""The events JSON API and the organisers' pages, with bad input of every kind."""
import json
import re
import unittest

from harness import ApiTestCase, ServerTestCase, Server, Browser, add_organiser

EVENT = {
    "title": "Капацитет",
    "kind": "seminar",
    "starts_at": "2030-08-11T10:00:00+03:00",
    "ends_at": "2030-08-11T17:00:00+03:00",
    "venue": "Зала 1",
    "city": "Русе",
    "capacity": 100,
    "registration_mode": "open",
    "materials_visibility": "public",
    "description": "Първи абзац.\n\nВтори <b>абзац</b>.",
    "organisers": ["Община Русе"],
    "partners": ["НПО „Мост“"],
    "funding_programme": "Програма „Развитие на човешките ресурси“ 2021–2027",
    "funding_project_code": "BG05SFPR002-1.001",
    "funding_project_title": "Проект",
    "funding_statement": "Проектът се осъществява с финансовата подкрепа на ЕСФ+.",
}


class ApiTest(ApiTestCase):
    @classmethod
    def prepare(cls, s):
        cls.token = add_organiser(s, "org@ruse.bg")
        cls.other = add_organiser(s, "other@gabrovo.bg", "Друг", "password-456")

    def count(self):
        return self.s.sql("SELECT COUNT(*) FROM events")[0][0]

    def test_create_publish_read_cancel(self):
        r = self.api("POST", "/api/v1/events", EVENT)
        self.assertEqual(r.status, 201, r.text)
        ev = r.json()
        self.assertTrue(ev["slug"].startswith("kapatsitet"))
        self.assertEqual(ev["status"], "draft")
        self.assertEqual(ev["starts_at"], "2030-08-11T10:00:00+03:00")
        self.assertEqual(ev["organisers"], ["Община Русе"])
        self.assertEqual(self.s.request("GET", f"/api/v1/events/{ev['id']}").status, 404)  # draft: not public
        self.assertEqual(self.api("GET", f"/api/v1/events/{ev['id']}").json()["title"], "Капацитет")
        r = self.api("POST", f"/api/v1/events/{ev['id']}/publish")
        self.assertEqual(r.json()["status"], "published")
        pub = self.s.request("GET", f"/api/v1/events/{ev['id']}")
        self.assertEqual(pub.status, 200)
        listed = self.s.request("GET", "/api/v1/events?past=1").json()
        self.assertNotIn(ev["id"], [e["id"] for e in listed["items"]])
        page = self.s.request("GET", "/events/" + ev["slug"]).text
        self.assertIn("<p>Втори &lt;b&gt;абзац&lt;/b&gt;.</p>", page)
        self.assertIn("Проектът се осъществява с финансовата подкрепа на ЕСФ+.", page)
        self.assertEqual(self.api("DELETE", f"/api/v1/events/{ev['id']}").status, 409)
        r = self.api("POST", f"/api/v1/events/{ev['id']}/cancel")
        self.assertEqual(r.json()["status"], "cancelled")
        self.assertEqual(self.api("POST", f"/api/v1/events/{ev['id']}/publish").status, 409)

    def test_patch_changes_only_what_is_sent(self):
        ev = self.api("POST", "/api/v1/events", EVENT).json()
        r = self.api("PATCH", f"/api/v1/events/{ev['id']}", {"capacity": 120, "partners": []})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["capacity"], 120)
        self.assertEqual(r.json()["partners"], [])
        self.assertEqual(r.json()["title"], "Капацитет")
        r = self.api("PATCH", f"/api/v1/events/{ev['id']}", {"ends_at": "2030-08-10T10:00:00+03:00"})
        self.assertEqual(r.status, 422)
        self.assertEqual(self.api("GET", f"/api/v1/events/{ev['id']}").json()["ends_at"], "2030-08-11T17:00:00+03:00")
        self.assertEqual(self.api("DELETE", f"/api/v1/events/{ev['id']}").status, 204)
        self.assertEqual(self.api("GET", f"/api/v1/events/{ev['id']}").status, 404)

    def test_bad_input_changes_nothing(self):
        before = self.count()
        cases = [
            ("{not json", 400, "malformed_json"),
            ('["a list"]', 400, "malformed_json"),
            (b'{"title": "\xc0\xaf"}', 400, "malformed_json"),
            (dict(EVENT, title=""), 422, "validation"),
            (dict(EVENT, title="x" * 10000), 422, "validation"),
            (dict(EVENT, kind="party"), 422, "validation"),
            (dict(EVENT, ends_at="2030-08-11T09:00:00+03:00"), 422, "validation"),
            (dict(EVENT, capacity="сто"), 422, "validation"),
            (dict(EVENT, colour="red"), 422, "validation"),
            (dict(EVENT, city="Русе\r\nX-Injected: 1"), 422, "validation"),
            (dict(EVENT, starts_at="tomorrow"), 422, "validation"),
        ]
        for body, status, code in cases:
            if isinstance(body, dict):
                body = json.dumps(body)
            r = self.api("POST", "/api/v1/events", body, headers={"Content-Type": "application/json"})
            self.assertEqual(r.status, status, (body[:60], r.text))
            err = r.json()["error"]
            self.assertEqual(err["code"], code)
            self.assertTrue(err["message"])
        r = self.api("POST", "/api/v1/events", dict(EVENT, title="", colour="red"), headers={"Accept-Language": "bg"})
        fields = r.json()["error"]["fields"]
        self.assertEqual(fields["title"], "Полето е задължително.")
        self.assertEqual(fields["colour"], "Непознато поле.")
        r = self.api("POST", "/api/v1/events", json.dumps(EVENT), headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 415)
        self.assertEqual(self.count(), before)

    def test_each_field_answers_its_own_mistake(self):
        """Read-only fields, wrong types and unknown names each get their own message (in English)."""
        long_name = "к" * 60  # 120 bytes: an event echoes it
        body = dict(EVENT, id=3, slug="x", status="published", capacity="5", organisers=["А", 1], partners="Б",
                    waitlist="yes", registration_opens_at=5, starts_at=None, colour=1, **{long_name: 1})
        r = self.api("POST", "/api/v1/events", body, headers={"Accept-Language": "en"})
        self.assertEqual(r.status, 422, r.text)
        self.assertEqual(r.json()["error"]["fields"], {
            "id": "This field cannot be changed this way.",
            "slug": "This field cannot be changed this way.",
            "status": "This field cannot be changed this way.",
            "capacity": "The number of places must be a whole number from 0 to 100000.",
            "organisers": "The value must be a list of texts.",
            "partners": "The value must be a list of texts.",
            "waitlist": "The value must be true or false.",
            "registration_opens_at": "Invalid date and time.",
            "starts_at": "Invalid date and time.",
            "colour": "Unknown field.",
            long_name: "Unknown field.",
        })
        ev = self.api("POST", "/api/v1/events", dict(EVENT, registration_closes_at="2030-05-01T12:00:00+03:00")).json()
        r = self.api("PATCH", f"/api/v1/events/{ev['id']}", {"registration_closes_at": None, "waitlist": True})
        self.assertEqual(r.status, 200, r.text)
        self.assertIsNone(r.json().get("registration_closes_at"))
        r = self.api("PATCH", f"/api/v1/events/{ev['id']}", {"capacity": 18446744073709551615}, headers={"Accept-Language": "en"})
        self.assertEqual(r.status, 422, r.text)
        self.assertEqual(list(r.json()["error"]["fields"]), ["capacity"])

    def test_authentication_and_ownership(self):
        r = self.api("POST", "/api/v1/events", EVENT, token=False)
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json()["error"]["code"], "unauthorized")
        self.assertEqual(self.api("POST", "/api/v1/events", EVENT, token="sabor_forged").status, 401)
        ev = self.api("POST", "/api/v1/events", EVENT).json()
        # Another organiser cannot see the draft, nor change it once published.
        self.assertEqual(self.api("GET", f"/api/v1/events/{ev['id']}", token=self.other).status, 404)
        self.assertEqual(self.api("PATCH", f"/api/v1/events/{ev['id']}", {"title": "Чуждо"}, token=self.other).status, 404)
        self.api("POST", f"/api/v1/events/{ev['id']}/publish")
        self.assertEqual(self.api("PATCH", f"/api/v1/events/{ev['id']}", {"title": "Чуждо"}, token=self.other).status, 403)
        # Cancelling (with the registrations it mails) answers as every event route: 403 for a published one.
        self.assertEqual(self.api("POST", f"/api/v1/events/{ev['id']}/cancel", token=self.other).status, 403)
        self.assertEqual(self.s.sql("SELECT status FROM events WHERE id = ?", ev["id"])[0][0], "published")

    def test_list_pagination(self):
        for i in range(3):
            ev = self.api("POST", "/api/v1/events", dict(EVENT, title=f"Серия {i}", starts_at=f"2031-01-0{i+1}T10:00:00+02:00",
                                                         ends_at=f"2031-01-0{i+1}T12:00:00+02:00")).json()
            self.api("POST", f"/api/v1/events/{ev['id']}/publish")
        everything = self.s.request("GET", "/api/v1/events").json()
        self.assertGreaterEqual(everything["total"], 3)
        page = self.s.request("GET", "/api/v1/events?limit=1&offset=1").json()
        self.assertEqual(len(page["items"]), 1)
        self.assertEqual(page["total"], everything["total"])
        self.assertEqual(page["items"][0]["id"], everything["items"][1]["id"])
        starts = [e["starts_at"] for e in everything["items"]]
        self.assertEqual(starts, sorted(starts))


class AdminPagesTest(ServerTestCase):
    @classmethod
    def prepare(cls, s):
        s.cli("user", "add", "--email", "org@kardzhali.bg", "--name", "Организатор", stdin="password-123\n")

    def test_create_with_errors_then_fix_and_publish(self):
        b = Browser(self.s)
        b.login("org@kardzhali.bg", "password-123")
        form = b.get("/admin/events/new")
        token = Browser.csrf(form)
        fields = {"csrf_token": token, "title": "Форум <script>alert(1)</script>", "kind": "forum",
                  "starts_at": "2030-09-01T10:00", "ends_at": "2030-09-01T09:00", "city": "Кърджали",
                  "capacity": "50", "registration_mode": "open", "materials_visibility": "public",
                  "organisers": "Община Кърджали\nНПО „Родопи“", "partners": "", "description": "",
                  "funding_programme": "", "funding_project_code": "", "funding_project_title": "", "funding_statement": ""}
        r = b.post("/admin/events/new", fields)
        self.assertEqual(r.status, 422)
        self.assertIn("Краят трябва да е след началото.", r.text)
        self.assertIn('value="Форум &lt;script&gt;alert(1)&lt;/script&gt;"', r.text)
        self.assertIn("2030-09-01T09:00", r.text)
        self.assertNotIn("<script>alert(1)", r.text)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM events")[0][0], 0)

        fields["ends_at"] = "2030-09-01T16:00"
        r = b.post("/admin/events/new", fields)
        self.assertEqual(r.status, 303)
        ev_id, slug, status = self.s.sql("SELECT id, slug, status FROM events")[0]
        self.assertEqual(status, "draft")
        self.assertEqual(slug, "forum-script-alert-1-script")
        admin = b.get("/admin?notice=created")
        self.assertIn("Събитието е създадено като чернова.", admin.text)
        r = b.post(f"/admin/events/{ev_id}/publish", {"csrf_token": token})
        self.assertEqual(r.status, 303)
        home = self.s.request("GET", "/").text
        self.assertIn("Форум &lt;script&gt;alert(1)&lt;/script&gt;", home)
        page = self.s.request("GET", "/events/" + slug).text
        self.assertIn("1 септември 2030 г., 10:00 – 16:00 ч.", page)
        self.assertIn("НПО „Родопи“", page)

    def test_invalid_utf8_in_a_form_is_refused_with_the_field_marked(self):
        b = Browser(self.s)
        b.login("org@kardzhali.bg", "password-123")
        token = Browser.csrf(b.get("/admin/events/new"))
        before = self.s.sql("SELECT COUNT(*) FROM events")[0][0]
        body = ("csrf_token=" + token + "&title=%C0%AF&kind=forum&starts_at=2030-09-01T10%3A00"
                "&ends_at=2030-09-01T11%3A00&city=%D0%A0%D1%83%D1%81%D0%B5")
        r = self.s.request("POST", "/admin/events/new", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in b.cookies.items())})
        self.assertEqual(r.status, 422)
        self.assertIn("не е UTF-8", r.text)
        self.assertIn('value="Русе"', r.text)
        r.body.decode("utf-8")  # the page itself stays valid UTF-8
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM events")[0][0], before)

    def test_forms_without_csrf_change_nothing(self):
        b = Browser(self.s)
        b.login("org@kardzhali.bg", "password-123")
        before = self.s.sql("SELECT COUNT(*) FROM events")[0][0]
        r = b.post("/admin/events/new", {"title": "Без токен", "starts_at": "2030-09-01T10:00", "ends_at": "2030-09-01T11:00"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM events")[0][0], before)


if __name__ == "__main__":
    unittest.main()
