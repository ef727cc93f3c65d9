"""Scheduled messages: the reminder before an event and the thank-you after it, sent by the
server on its own at their time (the clock moved with SABOR_TEST_NOW_OFFSET), once,
to the confirmed registrants only, across restarts."""
import datetime
import re
import time
import unittest

from harness import Server, Browser
from smtp_sink import Sink

EVENT = {
    "title": "Семинар „Напомняне“",
    "kind": "seminar",
    "starts_at": "2031-06-10T10:00:00+03:00",
    "ends_at": "2031-06-10T17:00:00+03:00",
    "venue": "Зала „Русе“",
    "city": "Русе",
    "capacity": 3,
    "registration_mode": "open",
}
STARTS = int(datetime.datetime.fromisoformat(EVENT["starts_at"]).timestamp())
ENDS = int(datetime.datetime.fromisoformat(EVENT["ends_at"]).timestamp())

REMINDER = {"enabled": True, "offset_minutes": 24 * 60, "subject": "Утре: {{event_title}}",
            "body": "Здравейте, {{name}}!\n\n<b>{{event_title}}</b> е на {{event_date}}, {{venue}}.\n\nВашата регистрация: {{manage_url}}"}


def person(i, **kw):
    p = {"name": f"Участник {i}", "email": f"s{i}@example.bg", "consent": True}
    p.update(kw)
    return p


def iso(ts):
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ScheduledMessagesTest(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        self.s = Server(env={"SABOR_MAIL_SMTP_URL": self.sink.url, "SABOR_MAIL_RETRY_FIRST_SECONDS": "1",
                             "SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "0"})
        self.s.cli("user", "add", "--email", "org@ruse.bg", "--name", "Организатор", stdin="password-123\n")
        self.token = self.s.cli("token", "create", "--email", "org@ruse.bg").stdout.strip()

    def tearDown(self):
        self.s.close()
        self.sink.stop()

    # ---- helpers ----

    def api(self, method, path, body=None, token=None):
        return self.s.request(method, path, body=body, headers={"Authorization": "Bearer " + (token or self.token)})

    def create_event(self, fields):
        ev = self.api("POST", "/api/v1/events", fields).json()
        self.assertEqual(self.api("POST", f"/api/v1/events/{ev['id']}/publish").status, 200)
        return ev

    def register(self, ev, body):
        r = self.s.request("POST", f"/api/v1/events/{ev['id']}/registrations", body=body)
        self.assertEqual(r.status, 201, r.text)
        return r.json()

    def put(self, ev, body):
        return self.api("PUT", f"/api/v1/events/{ev['id']}/scheduled-messages", body)

    def scheduled(self):
        return sorted(r[0] for r in self.s.sql("SELECT to_address FROM mail_outbox WHERE kind = 'scheduled_message'"))

    def scheduled_received(self):
        return [(rc, Sink.parse(raw)) for (_, rc, raw) in self.sink.handler.messages
                if str(Sink.parse(raw)["Subject"]).startswith(("Утре", "Благодар"))]

    def wait_until(self, check, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.1)
        self.fail("timed out waiting")

    def restart_at(self, ts):
        """Stops the server and starts it again with its clock at `ts` (Unix seconds)."""
        self.s.stop()
        self.s.env["SABOR_TEST_NOW_OFFSET"] = str(int(ts - time.time()))
        self.s.restart()

    # ---- tests ----

    def test_a_test_round_sends_what_fell_due_before_it_answers(self):
        # Switched on late, the reminder is due at once. The scheduler's own rounds come every
        # 2 s; the test hook's round queues it and hands it to the SMTP server before answering.
        start = int(time.time()) + 12 * 3600
        ev = self.create_event(dict(EVENT, starts_at=iso(start), ends_at=iso(start + 3600)))
        self.register(ev, person(1))
        self.assertEqual(self.put(ev, {"reminder": REMINDER}).status, 200)
        self.s.round()
        self.assertEqual(self.scheduled(), ["s1@example.bg"])
        self.assertEqual(len(self.scheduled_received()), 1)

    def test_reminder_at_its_time_to_the_confirmed_only(self):
        # An event starting a day and 8 seconds from now: the reminder falls due in 8 seconds.
        start = int(time.time()) + 24 * 3600 + 8
        ev = self.create_event(dict(EVENT, starts_at=iso(start), ends_at=iso(start + 3600)))
        regs = [self.register(ev, person(i)) for i in range(1, 6)]  # 1-3 confirmed, 4-5 waitlisted
        self.assertEqual([r["status"] for r in regs], ["confirmed"] * 3 + ["waitlisted"] * 2)
        self.assertEqual(self.api("PATCH", f"/api/v1/registrations/{regs[4]['id']}", {"status": "cancelled"}).status, 200)
        self.s.sql("INSERT INTO mail_suppressions (email, source, created_at) VALUES ('s3@example.bg', 'test', '2030-01-01T00:00:00Z')")
        r = self.put(ev, {"reminder": REMINDER})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(self.scheduled(), [])  # not before its time
        self.assertIsNone(r.json()["items"][0]["sent_at"])

        self.wait_until(lambda: self.scheduled(), timeout=30)
        sent_at = time.time()
        self.assertGreaterEqual(sent_at, start - 24 * 3600 - 1)
        self.assertEqual(self.scheduled(), ["s1@example.bg", "s2@example.bg"])
        self.wait_until(lambda: len(self.scheduled_received()) == 2)
        got = {rc[0]: msg for rc, msg in self.scheduled_received()}
        self.assertEqual(sorted(got), ["s1@example.bg", "s2@example.bg"])
        msg = got["s1@example.bg"]
        self.assertEqual(str(msg["Subject"]), "Утре: " + EVENT["title"])
        text = msg.get_body(("plain",)).get_content()
        self.assertIn("Здравейте, Участник 1!", text)
        self.assertIn("<b>" + EVENT["title"] + "</b>", text)
        html = msg.get_body(("html",)).get_content()
        self.assertIn("&lt;b&gt;", html)
        self.assertNotIn("<b>Семинар", html)
        # The personal link in the reminder works.
        link = re.search(r"http://127\.0\.0\.1:8080(/r/[A-Za-z0-9_-]+)", text).group(1)
        page = self.s.request("GET", link)
        self.assertEqual(page.status, 200)
        self.assertIn("Участник 1", page.text)
        listed = self.api("GET", f"/api/v1/events/{ev['id']}/scheduled-messages").json()["items"][0]
        self.assertIsNotNone(listed["sent_at"])
        # A bulk message: one-click unsubscribe (RFC 8058) and a visible link that works.
        unsub = re.fullmatch(r"<http://127\.0\.0\.1:8080(/u/[A-Za-z0-9_-]+)>", str(msg["List-Unsubscribe"]))
        self.assertTrue(unsub, msg["List-Unsubscribe"])
        self.assertEqual(str(msg["List-Unsubscribe-Post"]), "List-Unsubscribe=One-Click")
        self.assertIn("Отпишете се: http://127.0.0.1:8080" + unsub.group(1), text)
        r = self.s.request("POST", unsub.group(1), "List-Unsubscribe=One-Click",
                           {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertLess(r.status, 400)
        self.assertIn(("s1@example.bg",), self.s.sql("SELECT email FROM mail_suppressions"))

    def test_due_while_down_is_sent_after_the_restart_exactly_once(self):
        ev = self.create_event(EVENT)
        over = self.create_event(dict(EVENT, title="Минало докато спяхме", starts_at="2031-06-01T10:00:00+03:00",
                                      ends_at="2031-06-01T12:00:00+03:00"))
        for i in (1, 2):
            self.register(ev, person(i))
            self.register(over, person(i))
        self.assertEqual(self.put(ev, {"reminder": REMINDER}).status, 200)
        self.assertEqual(self.put(over, {"reminder": REMINDER}).status, 200)
        # The thank-you stays off (the default).
        self.assertFalse(self.api("GET", f"/api/v1/events/{ev['id']}/scheduled-messages").json()["items"][1]["enabled"])
        self.sink.wait_for(4)  # the confirmations

        # Down through the moment the reminder fell due; up an hour later.
        self.restart_at(STARTS - 23 * 3600)
        self.wait_until(lambda: len(self.scheduled()) == 2, timeout=30)
        self.wait_until(lambda: len(self.scheduled_received()) == 2)
        self.assertEqual(self.scheduled(), ["s1@example.bg", "s2@example.bg"])
        # The other event was over while the server was down: its reminder is not sent.
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'scheduled_message' AND event_id = ?",
                                    over["id"])[0][0], 0)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM scheduled_messages WHERE sent_at IS NULL")[0][0], 0)

        # Edited after sending: not sent again; restarted: not sent again.
        r = self.put(ev, {"reminder": {"body": "Нов текст за {{name}}", "offset_minutes": 12 * 60}})
        self.assertEqual(r.status, 200, r.text)
        self.assertIsNotNone(r.json()["items"][0]["sent_at"])
        self.restart_at(STARTS - 11 * 3600)
        self.s.round()
        self.assertEqual(len(self.scheduled()), 2)
        # After the end: the thank-you is off, so nothing more goes out.
        self.restart_at(ENDS + 5 * 3600)
        self.s.round()
        self.assertEqual(len(self.scheduled()), 2)
        self.assertEqual(len(self.scheduled_received()), 2)

        # Switched on now, late: the thank-you goes out once.
        r = self.put(ev, {"thanks": {"enabled": True, "subject": "Благодарим, {{name}}"}})
        self.assertEqual(r.status, 200, r.text)
        self.wait_until(lambda: len(self.scheduled()) == 4, timeout=30)
        self.s.round()
        self.assertEqual(len(self.scheduled()), 4)

    def test_settings_are_checked_and_only_for_the_events_organisers(self):
        ev = self.create_event(EVENT)
        path = f"/api/v1/events/{ev['id']}/scheduled-messages"
        got = self.api("GET", path).json()
        self.assertEqual(got["total"], 2)
        reminder, thanks = got["items"]
        self.assertEqual((reminder["kind"], reminder["enabled"], reminder["offset_minutes"]), ("reminder", False, 1440))
        self.assertEqual((thanks["kind"], thanks["enabled"], thanks["offset_minutes"]), ("thanks", False, 120))
        self.assertEqual(reminder["due_at"], "2031-06-09T10:00:00+03:00")
        self.assertEqual(thanks["due_at"], "2031-06-10T19:00:00+03:00")
        self.assertIn("{{name}}", reminder["body"])
        for bad, field in (({"reminder": {"body": "Здравейте, {{nmae}}"}}, "reminder_body"),
                           ({"reminder": {"subject": "{{{name}}}"}}, "reminder_subject"),
                           ({"reminder": {"subject": "Тема\r\nBcc: x@y.bg"}}, "reminder_subject"),
                           ({"reminder": {"subject": ""}}, "reminder_subject"),
                           ({"reminder": {"body": "x" * 10001}}, "reminder_body"),
                           ({"reminder": {"offset_minutes": -1}}, "reminder_offset"),
                           ({"reminder": {"offset_minutes": 10 ** 12}}, "reminder_offset"),
                           ({"reminder": {"offset_minutes": "24"}}, "reminder_offset"),
                           ({"reminder": {"enabled": "yes"}}, "reminder_enabled"),
                           ({"reminder": {"colour": "red"}}, "reminder_colour"),
                           ({"reminder": "on"}, "reminder"),
                           ({"birthday": {}}, "birthday")):
            r = self.put(ev, bad)
            self.assertEqual(r.status, 422, (bad, r.text))
            self.assertIn(field, r.json()["error"]["fields"], bad)
        self.assertEqual(self.api("GET", path).json(), got)  # nothing changed
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM scheduled_messages")[0][0], 0)

        # Another organiser, no token, a browser session writing: refused.
        self.s.cli("user", "add", "--email", "other@ruse.bg", "--name", "Друг", stdin="password-123\n")
        other = self.s.cli("token", "create", "--email", "other@ruse.bg").stdout.strip()
        # The event is public: someone else is refused with 403, as everywhere.
        self.assertEqual(self.api("GET", path, token=other).status, 403)
        self.assertEqual(self.api("PUT", path, {"reminder": {"enabled": True}}, token=other).status, 403)
        self.assertEqual(self.s.request("GET", path).status, 401)
        missing = self.api("GET", "/api/v1/events/99999/scheduled-messages")
        self.assertEqual(missing.status, 404)
        self.assertEqual(missing.json()["error"], {"code": "not_found", "message": "Страницата не е намерена."})
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM scheduled_messages")[0][0], 0)

        r = self.put(ev, {"reminder": {"enabled": True, "offset_minutes": 90}})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["items"][0]["due_at"], "2031-06-10T08:30:00+03:00")
        self.assertEqual(r.json()["items"][0]["body"], reminder["body"])  # fields not sent keep their values

    def test_admin_page(self):
        ev = self.create_event(EVENT)
        b = Browser(self.s)
        b.login("org@ruse.bg", "password-123")
        path = f"/admin/events/{ev['id']}/messages"
        page = b.get(path)
        self.assertEqual(page.status, 200)
        self.assertIn("Писма по график", page.text)
        self.assertIn('name="reminder_offset_hours"', page.text)
        self.assertIn(f'href="{path}"', b.get("/admin").text)
        form = {"csrf_token": Browser.csrf(page), "reminder_enabled": "1", "reminder_offset_hours": "12",
                "reminder_subject": "Утре: {{event_title}}", "reminder_body": "Здравейте, {{name}}!\r\nДо утре.",
                "thanks_offset_hours": "1,5", "thanks_subject": "Благодарим", "thanks_body": "Благодарим, {{name}}!"}
        self.assertEqual(b.post(path, dict(form, csrf_token="")).status, 403)
        bad = b.post(path, dict(form, reminder_body="Здравейте, {{ime}}!"))
        self.assertEqual(bad.status, 422)
        self.assertIn("{{ime}}", bad.text)
        self.assertIn("Здравейте, {{ime}}!", bad.text)  # what was typed is kept
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM scheduled_messages")[0][0], 0)
        r = b.post(path, form)
        self.assertEqual(r.status, 303)
        items = self.api("GET", f"/api/v1/events/{ev['id']}/scheduled-messages").json()["items"]
        self.assertEqual((items[0]["enabled"], items[0]["offset_minutes"]), (True, 720))
        self.assertEqual(items[0]["body"], "Здравейте, {{name}}!\nДо утре.")
        self.assertEqual((items[1]["enabled"], items[1]["offset_minutes"]), (False, 90))
        page = b.get(path + "?saved=1")
        self.assertIn("Ще бъде изпратено на", page.text)
        self.assertIn("Изключено", page.text)
        # Someone else's event: refused.
        self.s.cli("user", "add", "--email", "other@ruse.bg", "--name", "Друг", stdin="password-123\n")
        o = Browser(self.s)
        o.login("other@ruse.bg", "password-123")
        self.assertEqual(o.get(path).status, 403)


if __name__ == "__main__":
    unittest.main()
