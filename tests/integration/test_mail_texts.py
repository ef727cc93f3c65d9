"""Issue 11 #16: organisers reword, per event, the subject and opening text of every
registration mail (UI and GET/PUT /api/v1/events/{id}/mail-texts), with the placeholders
checked when saved, a preview, and a way back to the default. Read back from a real SMTP
server: the participant's mail carries the event's own text filled in, and everything the
template adds around it (facts, personal link, QR code, calendar file, signature)."""
import html as htmlmod
import re
import time
import unittest
import uuid

from harness import Browser, EventMailTestCase
from smtp_sink import Sink

EVENT = {
    "title": "Семинар „Зелена община“",
    "kind": "seminar",
    "starts_at": "2031-05-14T10:00:00+03:00",
    "ends_at": "2031-05-14T16:00:00+03:00",
    "venue": "Зала „Възраждане“",
    "city": "Габрово",
    "capacity": 1,
    "registration_mode": "open",
    "organisers": ["Община Габрово"],
}

OWN_SUBJECT = "Очакваме Ви на {{event_title}}, {{name}}"
OWN_TEXT = "Здравейте, {{name}}!\n\nБлагодарим, че се записахте за {{event_title}} ({{event_date}}, {{venue}}).\n\nКафето е от 9:30."

KINDS = ["registration_received", "registration_confirmed", "registration_waitlisted", "registration_promoted",
         "registration_approved", "registration_rejected", "registration_cancelled", "event_cancelled",
         "materials_online"]


def text_part(msg):
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html_part(msg):
    return msg.get_body(("html",)).get_content()


class MailTextsTest(EventMailTestCase):
    event_fields = EVENT

    def path(self, suffix=""):
        return f"/api/v1/events/{self.event['id']}/mail-texts{suffix}"

    def texts(self):
        r = self.api("GET", self.path())
        self.assertEqual(r.status, 200, r.text)
        return {(i["kind"], i["lang"]): i for i in r.json()["items"]}

    def mail_to(self, address, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.sink.handler.lock:
                got = list(self.sink.handler.messages)
            for _, rcpt, raw in got:
                if address in rcpt:
                    return Sink.parse(raw)
            time.sleep(0.1)
        self.fail(f"no message to {address}")

    def register(self, name, lang="bg"):
        address = f"p-{uuid.uuid4().hex[:8]}@example.bg"
        r = self.s.request("POST", f"/api/v1/events/{self.event['id']}/registrations",
                           body={"name": name, "email": address, "consent": True, "locale": lang})
        self.assertEqual(r.status, 201, r.text)
        return address

    def test_defaults_listed_for_every_kind_in_both_languages(self):
        t = self.texts()
        self.assertEqual(set(t), {(k, l) for k in KINDS for l in ("bg", "en")})
        c = t[("registration_confirmed", "bg")]
        self.assertFalse(c["customised"])
        self.assertEqual(c["subject"], "Потвърдена регистрация: {{event_title}}")
        self.assertTrue(c["text"].startswith("Здравейте, {{name}}!"))
        self.assertEqual((c["default_subject"], c["default_text"]), (c["subject"], c["text"]))
        self.assertIn("{{name}}", c["placeholders"])
        self.assertIn("{{waitlist_place}}", t[("registration_waitlisted", "bg")]["placeholders"])
        self.assertNotIn("{{waitlist_place}}", c["placeholders"])
        self.assertIsNone(c["updated_at"])
        # Someone else's token sees nothing of it: refused as for every public event one does not manage.
        self.s.cli("user", "add", "--email", "other@example.bg", "--name", "Друг", stdin="password-123\n")
        other = self.s.cli("token", "create", "--email", "other@example.bg").stdout.strip()
        r = self.s.request("GET", self.path(), headers={"Authorization": "Bearer " + other})
        self.assertEqual((r.status, r.json()["error"]["code"]), (403, "forbidden"))
        self.assertNotIn("items", r.json())

    def test_own_text_goes_out_filled_in_with_everything_around_it(self):
        r = self.api("PUT", self.path(), {"items": [
            {"kind": "registration_confirmed", "lang": "bg", "subject": OWN_SUBJECT, "text": OWN_TEXT}]})
        self.assertEqual(r.status, 200, r.text)
        got = {(i["kind"], i["lang"]): i for i in r.json()["items"]}[("registration_confirmed", "bg")]
        self.assertTrue(got["customised"])
        self.assertEqual(got["subject"], OWN_SUBJECT)

        address = self.register("Петя <Стоянова>")
        msg = self.mail_to(address)
        self.assertEqual(str(msg["Subject"]), "Очакваме Ви на Семинар „Зелена община“, Петя <Стоянова>")
        text, html = text_part(msg), html_part(msg)
        self.assertTrue(text.startswith("Здравейте, Петя <Стоянова>!\n\nБлагодарим, че се записахте за "
                                        "Семинар „Зелена община“ (14 май 2031"), text[:200])
        self.assertIn("Зала „Възраждане“", text.split("\n\n")[1])
        self.assertIn("Кафето е от 9:30.", text)
        self.assertNotIn("Регистрацията Ви е потвърдена", text)
        # The template's own parts are still there: facts, calendar, personal link, signature.
        self.assertIn("Събитие: Семинар „Зелена община“", text)
        self.assertRegex(text, r"/r/[A-Za-z0-9_-]+")
        self.assertIn("Община Габрово", text)
        names = [p.get_filename() for p in msg.iter_attachments()]
        self.assertIn("event.ics", names)
        # In HTML the organiser's text is escaped, in paragraphs.
        self.assertIn('<p style="margin:0 0 16px;">Здравейте, Петя &lt;Стоянова&gt;!</p>', html)
        self.assertNotIn("<Стоянова>", html)

        # The English text is still the default, and an English registrant gets it.
        # (capacity 1: the second registrant is waitlisted, so set that text too)
        en = self.register("John Smith", lang="en")
        msg = self.mail_to(en)
        self.assertIn("waiting list", str(msg["Subject"]).lower() + text_part(msg).lower())

    def test_edit_after_queueing_does_not_change_what_was_queued(self):
        self.api("PUT", self.path(), {"items": [
            {"kind": "registration_confirmed", "lang": "bg", "subject": "Първи текст", "text": "Текст едно, {{name}}."}]})
        # The mail server is down, so the message waits in the outbox while the text changes.
        port = self.sink.port
        self.sink.stop()
        address = self.register("Иван Иванов")
        self.api("PUT", self.path(), {"items": [
            {"kind": "registration_confirmed", "lang": "bg", "subject": "Втори текст", "text": "Текст две."}]})
        self.sink = Sink(port=port)
        msg = self.mail_to(address, timeout=60)
        self.assertEqual(str(msg["Subject"]), "Първи текст")
        self.assertIn("Текст едно, Иван Иванов.", text_part(msg))

    def test_bad_texts_are_refused_and_change_nothing(self):
        before = self.texts()
        cases = [
            ({"kind": "registration_confirmed", "lang": "bg", "text": "Здравейте, {{име}}!"}, "items[0].text", "{{име}}"),
            ({"kind": "registration_confirmed", "lang": "bg", "text": "Място: {{waitlist_place}}"}, "items[0].text", None),
            ({"kind": "registration_confirmed", "lang": "bg", "text": "{{#name}}x{{/name}}"}, "items[0].text", None),
            ({"kind": "registration_confirmed", "lang": "bg", "subject": "Тема\r\nBcc: x@evil.example"}, "items[0].subject", None),
            ({"kind": "registration_confirmed", "lang": "bg", "subject": "   "}, "items[0].subject", None),
            ({"kind": "registration_confirmed", "lang": "bg", "text": "а" * 10001}, "items[0].text", None),
            ({"kind": "registration_confirmed", "lang": "bg", "text": 5}, "items[0].text", None),
            ({"kind": "invitation", "lang": "bg", "text": "x"}, "items[0].kind", None),
            ({"kind": "registration_confirmed", "lang": "de", "text": "x"}, "items[0].lang", None),
            ({"kind": "registration_confirmed", "lang": "bg", "colour": "red"}, "items[0].colour", None),
        ]
        for item, field, shown in cases:
            # A good item next to the bad one is not saved either: all or nothing.
            good = {"kind": "registration_rejected", "lang": "bg", "subject": "Не", "text": "Не."}
            r = self.s.request("PUT", self.path(), body={"items": [item, good]},
                               headers={"Authorization": "Bearer " + self.token, "Accept-Language": "bg"})
            self.assertEqual(r.status, 422, (item, r.text))
            self.assertIn(field, r.text)
            self.assertRegex(r.text, "[А-Яа-я]")
            if shown:
                self.assertIn(shown[2:-2], r.text)
        for body in ("[]", '{"items": {}}', '{"items": [1]}', "not json"):
            r = self.s.request("PUT", self.path(), body=body,
                               headers={"Authorization": "Bearer " + self.token, "Content-Type": "application/json"})
            self.assertIn(r.status, (400, 422), (body, r.text))
        self.assertEqual(self.texts(), before)

    def test_back_to_the_default(self):
        self.api("PUT", self.path(), {"items": [
            {"kind": "registration_confirmed", "lang": "bg", "subject": OWN_SUBJECT, "text": OWN_TEXT}]})
        r = self.api("PUT", self.path(), {"items": [{"kind": "registration_confirmed", "lang": "bg", "default": True}]})
        self.assertEqual(r.status, 200, r.text)
        t = self.texts()[("registration_confirmed", "bg")]
        self.assertFalse(t["customised"])
        self.assertEqual(t["subject"], t["default_subject"])
        address = self.register("Мария Петрова")
        self.assertEqual(str(self.mail_to(address)["Subject"]), "Потвърдена регистрация: Семинар „Зелена община“")
        # Saving the default text as written is the default again, not a copy of it.
        d = self.texts()[("registration_waitlisted", "en")]
        self.api("PUT", self.path(), {"items": [{"kind": "registration_waitlisted", "lang": "en",
                                                 "subject": d["default_subject"], "text": d["default_text"] + "\n"}]})
        self.assertFalse(self.texts()[("registration_waitlisted", "en")]["customised"])

    def test_preview_api(self):
        r = self.api("POST", self.path("/preview"), {"kind": "registration_waitlisted", "lang": "bg",
                                                     "subject": "Чакате: {{event_title}}",
                                                     "text": "{{name}}, номерът Ви е {{waitlist_place}}."})
        self.assertEqual(r.status, 200, r.text)
        p = r.json()
        self.assertEqual(p["subject"], "Чакате: Семинар „Зелена община“")
        self.assertTrue(p["text"].startswith("Организатор, номерът Ви е 3."), p["text"][:80])
        self.assertIn("Семинар „Зелена община“", p["html"])
        # Nothing saved.
        self.assertFalse(self.texts()[("registration_waitlisted", "bg")]["customised"])
        r = self.api("POST", self.path("/preview"), {"kind": "registration_waitlisted", "lang": "bg", "text": "{{x}}"})
        self.assertEqual(r.status, 422)

    def test_organisers_page_edit_preview_save_reset(self):
        b = Browser(self.s, lang="bg")
        b.login(self.organiser_email, "password-123")
        base = f"/admin/events/{self.event['id']}/mail-texts"
        listing = b.get(base)
        self.assertEqual(listing.status, 200)
        self.assertIn("Текстове на писмата", listing.text)
        self.assertIn(f'href="{base}/registration_confirmed?lang=bg"', listing.text)
        self.assertIn("текст по подразбиране", listing.text)
        # The event's pages link to it.
        self.assertIn(f'href="{base}"', b.get(f"/admin/events/{self.event['id']}/messages").text)

        page = b.get(f"{base}/registration_confirmed?lang=bg")
        self.assertEqual(page.status, 200)
        self.assertIn("Потвърдена регистрация: {{event_title}}", page.text)
        self.assertIn("Преглед на писмото", page.text)  # the saved text is previewed at once
        csrf = b.csrf(page)

        # Preview: filled in with the organiser's name, nothing saved.
        r = b.post(f"{base}/registration_confirmed", {"csrf_token": csrf, "lang": "bg", "action": "preview",
                                                        "subject": OWN_SUBJECT, "text": OWN_TEXT.replace("\n", "\r\n")})
        self.assertEqual(r.status, 200)
        self.assertIn("Очакваме Ви на Семинар „Зелена община“, Организатор", r.text)
        self.assertIn("Текстът още не е запазен", r.text)
        self.assertIn("srcdoc=", r.text)
        self.assertIn("sandbox", r.text)
        self.assertFalse(self.texts()[("registration_confirmed", "bg")]["customised"])

        # A bad placeholder: the page says which, keeps what was typed, saves nothing.
        r = b.post(f"{base}/registration_confirmed", {"csrf_token": csrf, "lang": "bg", "action": "save",
                                                        "subject": OWN_SUBJECT, "text": "Здравейте, {{име}}!"})
        self.assertEqual(r.status, 422)
        self.assertIn("{{име}}", htmlmod.unescape(r.text))
        self.assertIn('aria-invalid="true"', r.text)
        self.assertFalse(self.texts()[("registration_confirmed", "bg")]["customised"])

        # Without the CSRF token: refused.
        r = b.post(f"{base}/registration_confirmed", {"lang": "bg", "action": "save", "subject": "x", "text": "y"})
        self.assertEqual(r.status, 403)

        r = b.post(f"{base}/registration_confirmed", {"csrf_token": csrf, "lang": "bg", "action": "save",
                                                        "subject": OWN_SUBJECT, "text": OWN_TEXT.replace("\n", "\r\n")})
        self.assertEqual(r.status, 303)
        page = b.get(r.header("Location"))
        self.assertIn("Текстът е запазен", page.text)
        t = self.texts()[("registration_confirmed", "bg")]
        self.assertTrue(t["customised"])
        self.assertEqual(t["text"], OWN_TEXT)  # stored with LF only
        self.assertIn("ваш текст", b.get(base).text)

        # Back to the default asks first; only the confirmed press removes the text.
        r = b.post(f"{base}/registration_confirmed/reset", {"csrf_token": csrf, "lang": "bg"})
        self.assertEqual(r.status, 200)
        self.assertIn("Да се върне ли текстът по подразбиране?", r.text)
        self.assertTrue(self.texts()[("registration_confirmed", "bg")]["customised"])
        r = b.post(f"{base}/registration_confirmed/reset", {"csrf_token": csrf, "lang": "bg", "confirm": "1"})
        self.assertEqual(r.status, 303)
        self.assertIn("Върнат е текстът по подразбиране", b.get(r.header("Location")).text)
        self.assertFalse(self.texts()[("registration_confirmed", "bg")]["customised"])

        # An unknown mail kind or someone else's event: not found.
        self.assertEqual(b.get(f"{base}/invitation?lang=bg").status, 404)
        self.assertEqual(b.get(f"{base}/..%2F..%2Fetc?lang=bg").status, 404)


if __name__ == "__main__":
    unittest.main()
