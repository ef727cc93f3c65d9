"""E-mail verification: with the event's switch on, a registration is made only when the
mailed link's button is pressed; the seat is decided at that moment."""
import re
import unittest

from harness import Server, Browser
from smtp_sink import Sink

BASE = "http://127.0.0.1:8080"
EVENT = {
    "title": "Форум „Проверка“",
    "kind": "forum",
    "starts_at": "2031-09-10T10:00:00+03:00",
    "ends_at": "2031-09-10T17:00:00+03:00",
    "venue": "Зала 1",
    "city": "Пловдив",
    "capacity": 1,
    "registration_mode": "open",
    "organisers": ["Община Пловдив"],
}


def person(i, **kw):
    p = {"name": f"Участник {i}", "email": f"v{i}@example.bg", "organisation": "Община Пловдив", "consent": True}
    p.update(kw)
    return p


class VerificationTest(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        self.s = Server(env={"SABOR_MAIL_SMTP_URL": self.sink.url, "SABOR_MAIL_RETRY_FIRST_SECONDS": "1",
                             "SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "0"})
        self.s.cli("user", "add", "--email", "org@plovdiv.bg", "--name", "Организатор", stdin="password-123\n")
        self.token = self.s.cli("token", "create", "--email", "org@plovdiv.bg").stdout.strip()
        self.event = self.create_event(EVENT)

    def tearDown(self):
        self.s.close()
        self.sink.stop()

    # ---- helpers ----

    def api(self, method, path, body=None):
        return self.s.request(method, path, body=body, headers={"Authorization": "Bearer " + self.token})

    def create_event(self, fields, verify=True):
        ev = self.api("POST", "/api/v1/events", fields).json()
        self.api("POST", f"/api/v1/events/{ev['id']}/publish")
        if verify:
            r = self.api("PUT", f"/api/v1/events/{ev['id']}/registration-form", {"verify_email": True})
            self.assertEqual(r.status, 200, r.text)
            self.assertTrue(r.json()["verify_email"])
        return ev

    def register(self, body, event=None):
        return self.s.request("POST", f"/api/v1/events/{(event or self.event)['id']}/registrations", body=body)

    def count(self, table):
        return self.s.sql(f"SELECT COUNT(*) FROM {table}")[0][0]

    def statuses(self):
        return dict(self.s.sql("SELECT email, status FROM registrations"))

    def link_for(self, address, n):
        """The verification link in the newest message to `address`, once `n` messages arrived."""
        msgs = self.sink.wait_for(n)
        raw = [raw for (_, rc, raw) in msgs if rc == [address]][-1]
        text = Sink.parse(raw).get_body(("plain",)).get_content()
        m = re.search(re.escape(BASE) + r"(/v/[A-Za-z0-9_-]+)", text)
        self.assertIsNotNone(m, text)
        return m.group(1)

    def confirm(self, path, browser=None):
        b = browser or Browser(self.s)
        page = b.get(path)
        self.assertEqual(page.status, 200, page.text)
        return b, b.post(path, {"csrf_token": Browser.csrf(page)})

    # ---- tests ----

    def test_off_by_default(self):
        ev = self.create_event(dict(EVENT, title="Без проверка"), verify=False)
        self.assertFalse(self.api("GET", f"/api/v1/events/{ev['id']}/registration-form").json()["verify_email"])
        self.assertNotIn("ще получите писмо с връзка", self.s.request("GET", f"/events/{ev['slug']}/register").text)
        r = self.register(person(1), event=ev)
        self.assertEqual(r.status, 201)
        self.assertEqual(self.count("registration_requests"), 0)
        r = self.api("PUT", f"/api/v1/events/{ev['id']}/registration-form", {"verify_email": "yes"})
        self.assertEqual(r.status, 422)
        self.assertEqual(r.json()["error"]["fields"], {"verify_email": "Стойността трябва да е true или false."})
        self.assertFalse(self.api("GET", f"/api/v1/events/{ev['id']}/registration-form").json()["verify_email"])

    def test_the_switch_on_the_admin_form_page(self):
        b = Browser(self.s)
        b.login("org@plovdiv.bg", "password-123")
        path = f"/admin/events/{self.event['id']}/form"
        page = b.get(path)
        self.assertRegex(page.text, r'name="verify_email" value="1" checked')
        r = b.post(path, {"csrf_token": Browser.csrf(page), "mode_phone": "hidden"})
        self.assertEqual(r.status, 303)
        settings = self.api("GET", f"/api/v1/events/{self.event['id']}/registration-form").json()
        self.assertFalse(settings["verify_email"])
        self.assertEqual(self.register(person(1)).status, 201)
        page = b.get(path)
        self.assertNotRegex(page.text, r'name="verify_email" value="1" checked')
        self.assertEqual(b.post(path, {"mode_phone": "hidden", "verify_email": "1"}).status, 403)  # no CSRF token
        b.post(path, {"csrf_token": Browser.csrf(page), "verify_email": "1"})
        self.assertTrue(self.api("GET", f"/api/v1/events/{self.event['id']}/registration-form").json()["verify_email"])

    def test_html_form_the_link_and_its_button(self):
        slug = self.event["slug"]
        b = Browser(self.s)
        form = b.get(f"/events/{slug}/register")
        self.assertIn("ще получите писмо с връзка", form.text)
        r = b.post(f"/events/{slug}/register", {"csrf_token": Browser.csrf(form), "name": "Мария Петрова",
                                                 "email": "Maria@Example.bg", "consent": "1", "organisation": "НПО"})
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("Проверете пощата си", r.text)
        self.assertIn("maria@example.bg", r.text)
        self.assertEqual(self.count("registrations"), 0)  # nothing counts yet
        self.assertEqual(self.count("registration_requests"), 1)
        # Only the hash of the token is stored.
        path = self.link_for("maria@example.bg", 1)
        token = path.split("/")[-1]
        self.assertGreaterEqual(len(token), 22)  # >= 128 bits in base64
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM registration_requests WHERE token_hash = ?", token)[0][0], 0)
        msg = Sink.parse(self.sink.handler.messages[0][2])
        self.assertIn("Потвърдете регистрацията си", str(msg["Subject"]))
        self.assertIn(BASE + path, msg.get_body(("html",)).get_content())

        # A plain GET (a mail scanner) registers no one; the page has one button.
        page = Browser(self.s).get(path)
        self.assertEqual(page.status, 200)
        self.assertIn("Потвърждавам регистрацията", page.text)
        self.assertEqual(page.header("Cache-Control"), "no-store")
        self.assertEqual(self.count("registrations"), 0)

        # Without the CSRF token: refused, nothing changes.
        v = Browser(self.s)
        page = v.get(path)
        self.assertEqual(v.post(path, {}).status, 403)
        self.assertEqual(v.post(path, {"csrf_token": "0" * 64}).status, 403)
        self.assertEqual(self.count("registrations"), 0)
        self.assertEqual(self.count("registration_requests"), 1)

        r = v.post(path, {"csrf_token": Browser.csrf(page)})
        self.assertEqual(r.status, 303)
        manage = r.header("Location")
        self.assertRegex(manage, r"^/r/[A-Za-z0-9_-]{32,}$")
        self.assertEqual(self.statuses(), {"maria@example.bg": "confirmed"})
        self.assertEqual(self.count("registration_requests"), 0)  # deleted in the same transaction
        row = self.s.sql("SELECT name, organisation, consent, locale FROM registrations")[0]
        self.assertEqual(row, ("Мария Петрова", "НПО", 1, "bg"))
        personal = v.get(manage)
        self.assertEqual(personal.status, 200)
        self.assertIn("Мария Петрова", personal.text)
        # The usual confirmation follows, with the personal link.
        msgs = self.sink.wait_for(2)
        confirmation = Sink.parse(msgs[1][2])
        self.assertIn(manage, confirmation.get_body(("plain",)).get_content())
        self.assertIn("text/calendar", [p.get_content_type() for p in confirmation.walk()])

        # Replaying the used link changes nothing.
        self.assertEqual(v.post(path, {"csrf_token": Browser.csrf(page)}).status, 404)
        self.assertEqual(Browser(self.s).get(path).status, 404)
        self.assertEqual(self.count("registrations"), 1)

    def test_api_answers_202_and_the_seat_is_decided_when_confirmed(self):
        r1 = self.register(person(1, locale="en"))
        self.assertEqual(r1.status, 202, r1.text)
        body = r1.json()
        self.assertEqual(body["verification_required"], True)
        self.assertEqual(body["email"], "v1@example.bg")
        self.assertRegex(body["expires_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
        self.assertNotIn("status", body)
        self.assertNotIn("manage_url", body)
        self.assertEqual(self.register(person(2)).status, 202)
        self.assertEqual(self.count("registrations"), 0)
        link1 = self.link_for("v1@example.bg", 2)
        link2 = self.link_for("v2@example.bg", 2)
        en = Sink.parse([raw for (_, rc, raw) in self.sink.handler.messages if rc == ["v1@example.bg"]][0])
        self.assertIn("Confirm your registration", str(en["Subject"]))
        # The second confirms first and takes the only seat; the first then joins the waiting list.
        self.assertEqual(self.confirm(link2)[1].status, 303)
        self.assertEqual(self.confirm(link1)[1].status, 303)
        self.assertEqual(self.statuses(), {"v2@example.bg": "confirmed", "v1@example.bg": "waitlisted"})
        self.assertEqual(self.count("registration_requests"), 0)

    def test_full_without_waiting_list_or_closed_when_the_link_is_used(self):
        ev = self.create_event(dict(EVENT, title="Без чакащи", waitlist=False))
        self.assertEqual(self.register(person(1), event=ev).status, 202)
        self.assertEqual(self.register(person(2), event=ev).status, 202)
        link1 = self.link_for("v1@example.bg", 2)
        link2 = self.link_for("v2@example.bg", 2)
        self.assertEqual(self.confirm(link1)[1].status, 303)
        _, r = self.confirm(link2)
        self.assertEqual(r.status, 409)
        self.assertIn("Няма свободни места", r.text)
        self.assertEqual(self.statuses(), {"v1@example.bg": "confirmed"})
        self.assertEqual(self.count("registration_requests"), 1)  # nothing changed
        # Asked again while full: refused at once.
        r = self.register(person(3), event=ev)
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json()["error"]["code"], "event_full")

        # Registration closed by the organiser after the request: the link is refused.
        self.assertEqual(self.register(person(4)).status, 202)
        link4 = self.link_for("v4@example.bg", 4)
        b = Browser(self.s)
        page = b.get(link4)
        r = self.api("PATCH", f"/api/v1/events/{self.event['id']}", {"registration_mode": "closed"})
        self.assertEqual(r.status, 200, r.text)
        r = b.post(link4, {"csrf_token": Browser.csrf(page)})
        self.assertEqual(r.status, 409)
        self.assertIn("затворена", r.text)
        self.assertNotIn("v4@example.bg", self.statuses())

    def test_a_new_request_replaces_the_earlier_and_nothing_leaks(self):
        self.assertEqual(self.register(person(1)).status, 202)
        first = self.link_for("v1@example.bg", 1)
        self.assertEqual(self.register(person(1, name="Участник Едно")).status, 202)
        second = self.link_for("v1@example.bg", 2)
        self.assertNotEqual(first, second)
        self.assertEqual(self.count("registration_requests"), 1)
        self.assertEqual(Browser(self.s).get(first).status, 404)
        self.assertEqual(self.confirm(second)[1].status, 303)
        self.assertEqual(self.s.sql("SELECT name FROM registrations")[0][0], "Участник Едно")

        # Already registered: the answer is the same as for a new address.
        again = self.register(person(1, email="V1@example.bg"))
        new = self.register(person(5))
        self.assertEqual(again.status, new.status)
        self.assertEqual(sorted(again.json().keys()), sorted(new.json().keys()))
        self.assertEqual(again.json()["message"], new.json()["message"])
        msgs = self.sink.wait_for(5)  # 2 links, the confirmation, 2 more links
        link = self.link_for("v1@example.bg", 5)
        # Only whoever opens the mailed link learns it: the usual "already registered" handling.
        _, r = self.confirm(link)
        self.assertEqual(r.status, 200)
        self.assertIn("Вече сте регистрирани", r.text)
        self.assertEqual(self.count("registrations"), 1)
        self.sink.wait_for(6)
        subjects = [str(Sink.parse(raw)["Subject"]) for (_, rc, raw) in self.sink.handler.messages if rc == ["v1@example.bg"]]
        self.assertIn("Вашата лична връзка", subjects[-1])

    def test_forged_and_tampered_links(self):
        self.assertEqual(self.register(person(1)).status, 202)
        link = self.link_for("v1@example.bg", 1)
        tampered = link[:-1] + ("A" if link[-1] != "A" else "B")
        b = Browser(self.s)
        page = b.get(link)  # a real page, for a valid CSRF token
        for path in (tampered, "/v/forged-token-1234567890", "/v/" + "x" * 300):
            self.assertEqual(b.get(path).status, 404, path)
            self.assertEqual(b.post(path, {"csrf_token": Browser.csrf(page)}).status, 404, path)
        self.assertEqual(self.count("registrations"), 0)
        self.assertEqual(self.count("registration_requests"), 1)

    def test_expired_link_changes_nothing(self):
        self.assertEqual(self.register(person(1)).status, 202)
        link = self.link_for("v1@example.bg", 1)
        b = Browser(self.s)
        page = b.get(link)
        csrf = Browser.csrf(page)
        # 49 hours later (the clock of the restarted server moved forward).
        self.s.stop()
        self.s.env["SABOR_TEST_NOW_OFFSET"] = str(49 * 3600)
        self.s.restart()
        r = b.get(link)
        self.assertEqual(r.status, 410)
        self.assertIn("изтекла", r.text)
        r = b.post(link, {"csrf_token": csrf})
        self.assertEqual(r.status, 410)
        self.assertEqual(self.count("registrations"), 0)
        # A new request works, and clears the expired one.
        self.assertEqual(self.register(person(2)).status, 202)
        self.assertEqual(self.s.sql("SELECT email FROM registration_requests"), [("v2@example.bg",)])


if __name__ == "__main__":
    unittest.main()
