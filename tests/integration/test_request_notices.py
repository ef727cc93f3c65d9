"""Managers of a moderated event hear of requests awaiting approval: a mail per request, or one
digest a day (their choice), read back from the real SMTP sink; the clock moved with
SABOR_TEST_NOW_OFFSET across restarts."""
import datetime
import re
import time
import unittest
import urllib.parse
import zoneinfo

from harness import Server, Browser
from smtp_sink import Sink

SOFIA = zoneinfo.ZoneInfo("Europe/Sofia")
EVENT = {
    "title": "Кръгла маса „Води“",
    "kind": "seminar",
    "starts_at": "2031-10-01T10:00:00+03:00",
    "ends_at": "2031-10-01T13:00:00+03:00",
    "venue": "Общината",
    "city": "Ловеч",
    "capacity": 20,
    "registration_mode": "moderated",
    "organisers": ["Община Ловеч"],
}


def offset_to(day, hour):
    """Seconds to add to the real clock for it to read `hour`:00 in Sofia, `day` days from today."""
    today = datetime.datetime.now(SOFIA).date()
    target = datetime.datetime.combine(today + datetime.timedelta(days=day), datetime.time(hour), tzinfo=SOFIA)
    return str(int(target.timestamp() - time.time()))


def text_of(msg):
    return next(p for p in msg.walk() if p.get_content_type() == "text/plain").get_content()


class RequestNoticesTest(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        self.s = Server(env={"SABOR_MAIL_SMTP_URL": self.sink.url, "SABOR_MAIL_RETRY_FIRST_SECONDS": "1",
                             "SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "0", "SABOR_TEST_NOW_OFFSET": offset_to(2, 6)})
        for email, name in (("daily@lovech.bg", "Дара Дневна"), ("each@lovech.bg", "Емил Всеки")):
            self.s.cli("user", "add", "--email", email, "--name", name, stdin="password-123\n")
        token = self.s.cli("token", "create", "--email", "daily@lovech.bg").stdout.strip()
        h = {"Authorization": "Bearer " + token}
        self.ev = self.s.request("POST", "/api/v1/events", EVENT, headers=h).json()
        self.s.request("POST", f"/api/v1/events/{self.ev['id']}/publish", headers=h)
        each = self.s.sql("SELECT id FROM users WHERE email = 'each@lovech.bg'")[0][0]
        self.s.sql("INSERT INTO event_managers (event_id, user_id) VALUES (?, ?)", self.ev["id"], each)

    def tearDown(self):
        self.s.close()
        self.sink.stop()

    def register(self, name, email):
        r = self.s.request("POST", f"/api/v1/events/{self.ev['id']}/registrations",
                           body={"name": name, "email": email, "organisation": "Община Тетевен", "consent": True})
        self.assertEqual(r.json()["status"], "pending", r.text)
        return r.json()["id"]

    def mails_to(self, address):
        return [Sink.parse(raw) for _, rcpts, raw in list(self.sink.handler.messages) if address in rcpts]

    def wait_mails_to(self, address, n, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.mails_to(address)
            if len(got) >= n:
                return got
            time.sleep(0.1)
        self.fail(f"{address}: expected {n} messages, got {len(self.mails_to(address))}")

    def move_clock(self, day, hour):
        self.s.stop()
        self.s.env["SABOR_TEST_NOW_OFFSET"] = offset_to(day, hour)
        self.s.restart()

    def test_each_request_or_a_daily_digest_and_the_link_to_approve(self):
        # The daily choice, on the organisers' page; a bad value changes nothing.
        dara = Browser(self.s, lang="bg")
        dara.login("daily@lovech.bg", "password-123")
        page = dara.get("/admin/notifications")
        self.assertEqual(page.status, 200)
        self.assertIn('value="each" checked', page.text)
        self.assertIn('href="/admin/notifications"', dara.get("/admin").text)
        bad = dara.post("/admin/notifications", {"csrf_token": Browser.csrf(page), "mode": "hourly"})
        self.assertEqual(bad.status, 422)
        self.assertIn("Изберете един от двата начина.", bad.text)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM request_notice_settings")[0][0], 0)
        self.assertEqual(dara.post("/admin/notifications", {"mode": "daily"}).status, 403)  # no CSRF token
        # Not signed in: to the login first, whatever the form carries (the same answer as every organisers' page).
        anon = Browser(self.s, lang="bg")
        r = anon.post("/admin/notifications", {"mode": "daily"})
        self.assertEqual((r.status, r.header("Location")), (303, "/login?next=/admin/notifications"))
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM request_notice_settings")[0][0], 0)
        r = dara.post("/admin/notifications", {"csrf_token": Browser.csrf(page), "mode": "daily"})
        self.assertEqual(r.status, 303)
        self.assertIn('value="daily" checked', dara.get(r.header("Location")).text)

        # 06:00: two requests. The manager who wants each one is told of each at once ...
        first = self.register("Петър Петров", "petar@teteven.bg")
        self.register("Мария Маринова", "maria@teteven.bg")
        mails = self.wait_mails_to("each@lovech.bg", 2)
        subjects = sorted(str(m["Subject"]) for m in mails)
        self.assertEqual(subjects, ["Заявка за участие чака одобрение: Кръгла маса „Води“"] * 2)
        body = text_of(next(m for m in mails if "Петър Петров" in text_of(m)))
        self.assertIn("Организация: Община Тетевен", body)
        link = re.search(r"(http://\S+/admin/events/\d+/registrations\?status=pending)", body).group(1)
        # ... the one who chose the digest is not, and nothing before 08:00.
        self.s.round()
        self.assertEqual(self.mails_to("daily@lovech.bg"), [])

        # 09:00: one digest with both, once, also after another restart.
        self.move_clock(2, 9)
        digest = self.wait_mails_to("daily@lovech.bg", 1)[0]
        self.assertEqual(str(digest["Subject"]), "Заявки за участие, чакащи одобрение: 2")
        text = text_of(digest)
        self.assertIn("Петър Петров, Община Тетевен <petar@teteven.bg>", text)
        self.assertIn("Мария Маринова", text)
        self.assertIn("Кръгла маса „Води“", text)
        self.assertIn(f"/admin/events/{self.ev['id']}/registrations?status=pending", text)
        self.move_clock(2, 10)
        self.s.round()
        self.assertEqual(len(self.mails_to("daily@lovech.bg")), 1)

        # A request later that day: at once to the one, in the next morning's digest for the other.
        self.register("Стефан Стефанов", "stefan@teteven.bg")
        self.wait_mails_to("each@lovech.bg", 3)
        self.s.round()
        self.assertEqual(len(self.mails_to("daily@lovech.bg")), 1)
        self.move_clock(3, 9)
        second = self.wait_mails_to("daily@lovech.bg", 2)[1]
        self.assertEqual(str(second["Subject"]), "Заявки за участие, чакащи одобрение: 1")
        self.assertIn("Стефан Стефанов", text_of(second))
        self.assertNotIn("Петър Петров", text_of(second))
        # No new request: no digest the day after.
        self.move_clock(4, 9)
        self.s.round()
        self.assertEqual(len(self.mails_to("daily@lovech.bg")), 2)

        # The link: sign in first, then the page where the request is approved.
        path = urllib.parse.urlsplit(link)
        emil = Browser(self.s, lang="bg")
        r = emil.get(path.path + "?" + path.query)
        self.assertEqual(r.status, 303)
        login_at = r.header("Location")
        self.assertTrue(login_at.startswith("/login?next="), login_at)
        login = emil.get(login_at)
        next_path = re.search(r'name="next" value="([^"]+)"', login.text).group(1)
        r = emil.post("/login", {"email": "each@lovech.bg", "password": "password-123", "csrf_token": Browser.csrf(login),
                                 "next": next_path})
        self.assertEqual(r.status, 303)
        listing = emil.get(r.header("Location"))
        self.assertEqual(listing.status, 200)
        self.assertIn("Петър Петров", listing.text)
        r = emil.post(f"/admin/registrations/{first}", {"csrf_token": Browser.csrf(listing), "action": "approve"})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.s.sql("SELECT status FROM registrations WHERE id = ?", first)[0][0], "confirmed")

    def test_a_refused_request_tells_nobody(self):
        # The request and its notice are one transaction: a duplicate is not a new request.
        self.register("Петър Петров", "petar@teteven.bg")
        self.wait_mails_to("each@lovech.bg", 1)
        again = self.s.request("POST", f"/api/v1/events/{self.ev['id']}/registrations",
                               body={"name": "Петър Петров", "email": "petar@teteven.bg", "consent": True})
        self.assertEqual(again.status, 201)  # anonymous: told nothing (issue 12), and nothing new
        self.s.round()
        self.assertEqual(len(self.mails_to("each@lovech.bg")), 1)
        self.assertEqual(len(self.mails_to("daily@lovech.bg")), 1)  # the creator, who has not chosen: each request
