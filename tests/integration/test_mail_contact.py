"""Issue 11, items 6-8, read back from a real SMTP server: every mail about an event can be
answered (Reply-To the event's contact, signed by its organisers with the contact), the
mail's check-in link opens the participant's own card (never an organiser's page), and the
reminder names the real day ("днес", "утре", "на 24 декември", in the event's time zone)
and brings the QR code and the calendar file like the confirmation."""
import datetime
import re
import time
import unittest
import uuid

from harness import Server, Browser
from smtp_sink import Sink

CONTACT = {"contact_email": "sabitia@ruse.bg", "contact_phone": "+359 82 123 456"}
ORGANISERS = ["Община Русе", "Сдружение „Дунав“"]
EVENT = dict({
    "title": "Форум „Отворена община“",
    "kind": "forum",
    "starts_at": "2031-12-24T10:00:00+02:00",
    "ends_at": "2031-12-24T16:00:00+02:00",
    "venue": "Доходното здание",
    "city": "Русе",
    "capacity": 50,
    "registration_mode": "open",
    "organisers": ORGANISERS,
}, **CONTACT)


def ts(iso):
    return int(datetime.datetime.fromisoformat(iso).timestamp())


def text_part(msg):
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html_part(msg):
    return msg.get_body(("html",)).get_content()


class MailContactTest(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        self.s = Server(env={"SABOR_MAIL_SMTP_URL": self.sink.url, "SABOR_MAIL_RETRY_FIRST_SECONDS": "1",
                             "SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "0"})
        self.s.cli("user", "add", "--email", "org@ruse.bg", "--name", "Организатор", stdin="password-123\n")
        self.token = self.s.cli("token", "create", "--email", "org@ruse.bg").stdout.strip()

    def tearDown(self):
        self.s.close()
        self.sink.stop()

    def api(self, method, path, body=None, headers=None):
        h = {"Authorization": "Bearer " + self.token}
        h.update(headers or {})
        return self.s.request(method, path, body=body, headers=h)

    def create_event(self, **fields):
        r = self.api("POST", "/api/v1/events", dict(EVENT, **fields))
        self.assertEqual(r.status, 201, r.text)
        ev = r.json()
        self.assertEqual(self.api("POST", f"/api/v1/events/{ev['id']}/publish").status, 200)
        return ev

    def register(self, ev, name="Мария Иванова", **kw):
        body = {"name": name, "email": f"p-{uuid.uuid4().hex[:8]}@example.bg", "consent": True}
        body.update(kw)
        r = self.s.request("POST", f"/api/v1/events/{ev['id']}/registrations", body=body)
        self.assertEqual(r.status, 201, r.text)
        return r.json()

    def mail_to(self, address, subject_part="", timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.sink.handler.lock:
                got = list(self.sink.handler.messages)
            for _, rcpt, raw in got:
                msg = Sink.parse(raw)
                if address in rcpt and subject_part in str(msg["Subject"]):
                    return msg
            time.sleep(0.1)
        self.fail(f"no message to {address} with “{subject_part}”")

    def assert_answerable(self, msg, signed=True):
        """Reply-To the contact; the contact (and the organisers' signature) in text and HTML."""
        self.assertEqual(msg["Reply-To"].addresses[0].addr_spec, CONTACT["contact_email"])
        text, html = text_part(msg), html_part(msg)
        for part in (text, html):
            self.assertIn(CONTACT["contact_email"], part)
            self.assertIn(CONTACT["contact_phone"], part)
        self.assertIn('href="mailto:sabitia@ruse.bg"', html)
        self.assertIn('href="tel:+35982123456"', html)
        if signed:
            self.assertIn("Поздрави,\nОбщина Русе, Сдружение „Дунав“", text)
            self.assertIn("Община Русе, Сдружение „Дунав“", html)

    # ---- 6: the event's contact ----

    def test_contact_in_the_api_and_on_the_event_page_and_validated(self):
        ev = self.create_event()
        got = self.api("GET", f"/api/v1/events/{ev['id']}").json()
        self.assertEqual((got["contact_email"], got["contact_phone"]), (CONTACT["contact_email"], CONTACT["contact_phone"]))
        page = self.s.request("GET", f"/events/{ev['slug']}").text
        self.assertIn('href="mailto:sabitia@ruse.bg"', page)
        self.assertIn('href="tel:+35982123456">+359 82 123 456</a>', page)
        # Bad input: a clear error in the caller's language, nothing changed.
        for field, value in (("contact_email", "not an address"), ("contact_email", "a@b@c.bg"),
                             ("contact_phone", "082 123 456 ext. 7"), ("contact_phone", "<script>")):
            r = self.api("PATCH", f"/api/v1/events/{ev['id']}", {field: value}, {"Accept-Language": "bg"})
            self.assertEqual(r.status, 422, (field, value, r.text))
            self.assertIn(field, r.text)
            self.assertRegex(r.text, "[А-Яа-я]")
        got = self.api("GET", f"/api/v1/events/{ev['id']}").json()
        self.assertEqual((got["contact_email"], got["contact_phone"]), (CONTACT["contact_email"], CONTACT["contact_phone"]))
        # Both may be cleared.
        r = self.api("PATCH", f"/api/v1/events/{ev['id']}", {"contact_email": "", "contact_phone": ""})
        self.assertEqual(r.status, 200, r.text)
        self.assertNotIn("mailto:", self.s.request("GET", f"/events/{ev['slug']}").text)

    def test_admin_form_edits_the_contact(self):
        ev = self.create_event(contact_email="", contact_phone="")
        b = Browser(self.s, lang="bg")
        b.login("org@ruse.bg", "password-123")
        form = b.get(f"/admin/events/{ev['id']}")
        self.assertIn('name="contact_email"', form.text)
        fields = {"csrf_token": Browser.csrf(form), "title": EVENT["title"], "kind": "forum",
                  "starts_at": "2031-12-24T10:00", "ends_at": "2031-12-24T16:00", "timezone": "Europe/Sofia",
                  "capacity": "50", "registration_mode": "open", "materials_visibility": "public",
                  "organisers": "\n".join(ORGANISERS), "public_participants_present": "1", "waitlist": "1",
                  "contact_email": "sabitia@ruse.bg", "contact_phone": "телефон"}
        r = b.post(f"/admin/events/{ev['id']}", fields)
        self.assertEqual(r.status, 422)
        self.assertIn("Телефонът може да съдържа само цифри", r.text)
        self.assertEqual(self.api("GET", f"/api/v1/events/{ev['id']}").json()["contact_email"], "")
        fields["contact_phone"] = CONTACT["contact_phone"]
        r = b.post(f"/admin/events/{ev['id']}", fields)
        self.assertLess(r.status, 400, r.text[:500])
        got = self.api("GET", f"/api/v1/events/{ev['id']}").json()
        self.assertEqual((got["contact_email"], got["contact_phone"]), (CONTACT["contact_email"], CONTACT["contact_phone"]))

    # ---- 6 and 7: the confirmation ----

    def test_confirmation_answerable_signed_and_links_the_participants_card(self):
        ev = self.create_event()
        reg = self.register(ev)
        msg = self.mail_to(reg["email"], "Потвърдена регистрация")
        self.assert_answerable(msg)
        text, html = text_part(msg), html_part(msg)
        # The check-in link is the participant's own card, never an organiser's page.
        self.assertNotIn("/admin", text)
        self.assertNotIn("/admin", html)
        card = re.search(r"http://127\.0\.0\.1:8080(/card/[0-9]+-[0-9a-f]+)", text).group(1)
        self.assertIn(card, html)
        self.assertIn('src="cid:checkin-qr@sabor"', html)
        r = self.s.request("GET", card)  # no session: a participant's phone
        self.assertEqual(r.status, 200, r.text[:300])
        self.assertIn("Мария Иванова", r.text)
        self.assertIn(EVENT["title"].replace("„", "„"), r.text)
        self.assertRegex(r.text, r'<img class="qr" src="data:image/svg\+xml;base64,')
        self.assertEqual(r.header("Cache-Control"), "no-store")
        # A forged or damaged code is not found; nothing leads to a login.
        for bad in (card[:-1] + ("0" if card[-1] != "0" else "1"), "/card/1-abc", "/card/nothing"):
            r = self.s.request("GET", bad)
            self.assertEqual(r.status, 404, bad)
        # Once cancelled, the card shows no QR code.
        self.assertEqual(self.api("PATCH", f"/api/v1/registrations/{reg['id']}", {"status": "cancelled"}).status, 200)
        r = self.s.request("GET", card)
        self.assertEqual(r.status, 200)
        self.assertNotIn('class="qr"', r.text)

    def test_other_registration_mails_are_answerable_too(self):
        ev = self.create_event(capacity=1)
        self.register(ev, name="Първи")
        second = self.register(ev, name="Втора")
        self.assertEqual(second["status"], "waitlisted")
        self.assert_answerable(self.mail_to(second["email"], "чакащите"))
        self.assertEqual(self.api("PATCH", f"/api/v1/registrations/{second['id']}", {"status": "cancelled"}).status, 200)
        self.assert_answerable(self.mail_to(second["email"], "Отменена"))

    def test_invitations_and_materials_carry_the_contact(self):
        ev = self.create_event()
        csv = "name,email,organisation,position,tags\nИван Петров,ivan@obshtina-ruse.bg,Община Русе,,кметове\n"
        r = self.api("POST", "/api/v1/contacts/import", csv.encode(), {"Content-Type": "text/csv"})
        self.assertEqual(r.status, 200, r.text)
        r = self.api("POST", f"/api/v1/events/{ev['id']}/invitations",
                     {"tag": "кметове", "subject": "Покана: {{event_title}}", "body": "Уважаеми {{name}},\n\n{{link}}"})
        self.assertEqual(r.status, 201, r.text)
        self.assert_answerable(self.mail_to("ivan@obshtina-ruse.bg", "Покана"), signed=False)

        reg = self.register(ev)
        self.mail_to(reg["email"], "Потвърдена")
        pdf = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
               b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
        boundary = "----sabor" + uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"programa.pdf\"\r\n"
                f"Content-Type: application/pdf\r\n\r\n").encode() + pdf + f"\r\n--{boundary}--\r\n".encode()
        r = self.api("POST", f"/api/v1/events/{ev['id']}/materials", body,
                     {"Content-Type": f"multipart/form-data; boundary={boundary}"})
        self.assertEqual(r.status, 201, r.text)
        r = self.api("POST", f"/api/v1/events/{ev['id']}/materials/announce", {"audience": "registered"})
        self.assertEqual(r.status, 202, r.text)
        self.assert_answerable(self.mail_to(reg["email"], "онлайн"))

    # ---- 8: the reminder ----

    def restart_at(self, when):
        self.s.stop()
        self.s.env["SABOR_TEST_NOW_OFFSET"] = str(int(when - time.time()))
        self.s.restart()

    def test_reminder_names_the_real_day_and_brings_the_qr_and_the_calendar(self):
        # Each reminder keeps the default subject and text ("Напомняне: {{event_title}} е {{event_day}}").
        cases = [  # (event start, hours before, the words expected)
            ("2031-12-24T10:00:00+02:00", 72, "на 24 декември"),
            ("2031-12-24T10:00:00+02:00", 24, "утре"),
            # 22:00 in Sofia on the 23rd is 20:00 UTC: both times fall on the 23rd in UTC, but the
            # event is tomorrow where it happens.
            ("2031-12-24T01:00:00+02:00", 3, "утре"),
            ("2031-12-24T18:00:00+02:00", 3, "днес"),
        ]
        people = []
        for i, (start, hours, _) in enumerate(cases):
            ev = self.create_event(title=f"Събор {i + 1}", starts_at=start,
                                   ends_at=datetime.datetime.fromisoformat(start).replace(hour=23).isoformat())
            r = self.api("PUT", f"/api/v1/events/{ev['id']}/scheduled-messages",
                         {"reminder": {"enabled": True, "offset_minutes": hours * 60}})
            self.assertEqual(r.status, 200, r.text)
            self.assertIn("{{event_day}}", r.json()["items"][0]["subject"])
            reg = self.register(ev, name=f"Участник {i + 1}")
            self.mail_to(reg["email"], "Потвърдена")
            people.append((ev, reg))
        # The clock moves to just after each reminder's time, in order.
        for (start, hours, words), (ev, reg) in zip(cases, people):
            self.restart_at(ts(start) - hours * 3600 + 30)
            msg = self.mail_to(reg["email"], "Напомняне")
            self.assertEqual(str(msg["Subject"]), f"Напомняне: {ev['title']} е {words}", (start, hours))
            text, html = text_part(msg), html_part(msg)
            self.assertIn(f"„{ev['title']}“ – {words}.", text)
            self.assertNotIn("утре" if words != "утре" else "днес", text)
            # The organiser's own text, then the organisers and the contact.
            self.assert_answerable(msg, signed=False)
            self.assertIn("--\nОбщина Русе, Сдружение „Дунав“ · " + ev["title"], text)
            # The QR code inline, the card link, the calendar file.
            self.assertIn('src="cid:checkin-qr@sabor"', html)
            parts = {p.get_content_type(): p for p in msg.walk()}
            qr = parts["image/png"]
            self.assertEqual(qr["Content-ID"], "<checkin-qr@sabor>")
            self.assertTrue(qr.get_content().startswith(b"\x89PNG"))
            ics = parts["text/calendar"]
            self.assertEqual(ics.get_filename(), "event.ics")
            self.assertIn("BEGIN:VEVENT", ics.get_content())
            card = re.search(r"http://127\.0\.0\.1:8080(/card/[0-9]+-[0-9a-f]+)", text).group(1)
            self.assertNotIn("/admin", text + html)
            self.assertIn(reg["name"], self.s.request("GET", card).text)

    def test_thanks_has_no_card(self):
        ev = self.create_event()
        r = self.api("PUT", f"/api/v1/events/{ev['id']}/scheduled-messages",
                     {"thanks": {"enabled": True, "offset_minutes": 60}})
        self.assertEqual(r.status, 200, r.text)
        reg = self.register(ev)
        self.mail_to(reg["email"], "Потвърдена")
        self.restart_at(ts(EVENT["ends_at"]) + 3600 + 30)
        msg = self.mail_to(reg["email"], "Благодарим")
        self.assert_answerable(msg, signed=False)
        self.assertNotIn("/card/", text_part(msg))


if __name__ == "__main__":
    unittest.main()
