"""Registration: seats decided in the write transaction, the waiting list, personal links, mail."""
import concurrent.futures
import glob
import re
import time
import unittest

from harness import Server, Browser, EventMailTestCase, add_organiser
from smtp_sink import Sink

from registration_data import EVENT, person


class RegistrationTest(EventMailTestCase):
    organiser_email = "org@ruse.bg"
    mail_from = "Събор <events@ruse.bg>"
    event_fields = EVENT

    def statuses(self):
        return dict(self.s.sql("SELECT email, status FROM registrations"))

    def test_seats_then_waiting_list_then_promotion(self):
        r1 = self.register(person(1))
        self.assertEqual(r1.status, 201, r1.text)
        reg = r1.json()
        self.assertEqual(reg["status"], "confirmed")
        self.assertRegex(reg["manage_url"], r"^http://127\.0\.0\.1:8080/r/[A-Za-z0-9_-]{32,}$")
        self.assertEqual(self.register(person(2)).json()["status"], "confirmed")
        r3 = self.register(person(3))
        self.assertEqual(r3.status, 201)
        self.assertEqual(r3.json()["status"], "waitlisted")

        msgs = self.sink.wait_for(3)
        confirmed = Sink.parse(next(raw for (_, rc, raw) in msgs if rc == ["p1@example.bg"]))
        self.assertIn("Семинар „Мрежи“", str(confirmed["Subject"]))
        parts = [p.get_content_type() for p in confirmed.walk()]
        self.assertIn("text/calendar", parts)
        ics = next(p for p in confirmed.walk() if p.get_content_type() == "text/calendar").get_content()
        if isinstance(ics, bytes):
            ics = ics.decode()
        self.assertIn("DTSTART:20310811T070000Z", ics)
        # The QR code for the door is inside the HTML part (multipart/related, cid:), a real PNG.
        self.assertIn("multipart/related", parts)
        qr = next(p for p in confirmed.walk() if p.get_content_type() == "image/png")
        self.assertEqual(qr["Content-Id"], "<checkin-qr@sabor>")
        self.assertTrue(qr.get_content().startswith(b"\x89PNG\r\n\x1a\n"))
        self.assertIn('src="cid:checkin-qr@sabor"', confirmed.get_body(("html",)).get_content())
        self.assertIn(reg["manage_url"], confirmed.get_body(("plain",)).get_content())

        # The first cancels through the personal page; the waiting one is promoted at once.
        path = reg["manage_url"].replace("http://127.0.0.1:8080", "")
        b = Browser(self.s)
        page = b.get(path)
        self.assertEqual(page.status, 200)
        self.assertIn("Потвърдена", page.text)
        self.assertEqual(page.header("Cache-Control"), "no-store")
        # „Отказвам се“ asks first and changes nothing (issue 11).
        r = b.post(path, {"csrf_token": Browser.csrf(page), "action": "cancel"})
        self.assertEqual(r.status, 200)
        self.assertIn("Наистина ли се отказвате", r.text)
        self.assertIn('name="confirm" value="1"', r.text)
        self.assertEqual(self.statuses()["p1@example.bg"], "confirmed")
        r = b.post(path, {"csrf_token": Browser.csrf(page), "action": "cancel", "confirm": "1"})
        self.assertEqual(r.status, 200)
        self.assertEqual(self.statuses(), {"p1@example.bg": "cancelled", "p2@example.bg": "confirmed",
                                           "p3@example.bg": "confirmed"})
        msgs = self.sink.wait_for(5)
        kinds = [str(Sink.parse(raw)["Subject"]) for (_, rc, raw) in msgs if rc == ["p3@example.bg"]]
        self.assertEqual(len(kinds), 2)  # waitlisted, then promoted

    def test_one_registration_per_address_case_insensitive(self):
        self.assertEqual(self.register(person(1)).status, 201)
        r = self.register(person(1, email="P1@Example.BG", name="Друг"))
        # Anonymous: the answer a new registration gets, without anyone's status or link (issue 12).
        self.assertEqual(r.status, 201)
        self.assertEqual(r.json(), {"status": "received"})
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM registrations")[0][0], 1)
        msgs = self.sink.wait_for(2)
        self.assertEqual(len([m for m in msgs if m[1] == ["p1@example.bg"]]), 2)  # confirmation, then the link again

    def test_bad_input_changes_nothing(self):
        cases = [
            (person(1, email=""), "email"),
            (person(1, email="not an address"), "email"),
            (person(1, email="x@y.bg\r\nBcc: evil@x.com"), "email"),
            (person(1, consent=False), "consent"),
            (person(1, name=""), "name"),
            (person(1, name="Иван\r\nBcc: x"), "name"),
            (person(1, name="x" * 300), "name"),
            (person(1, organisation_type="pirates"), "organisation_type"),
            (person(1, colour="red"), "colour"),
            (person(1, consent="yes"), "consent"),
        ]
        for body, field in cases:
            r = self.register(body)
            self.assertEqual(r.status, 422, (body, r.text))
            self.assertIn(field, r.json()["error"]["fields"])
        r = self.s.request("POST", f"/api/v1/events/{self.event['id']}/registrations",
                           body=b'{"name": "\xc0\xaf", "email": "a@b.bg", "consent": true}',
                           headers={"Content-Type": "application/json"})
        self.assertEqual(r.status, 400)
        self.assertEqual(self.register(person(1), event={"id": 99999}).status, 404)
        draft = self.create_event(dict(EVENT, title="Чернова"), publish=False)
        self.assertEqual(self.register(person(1), event=draft).status, 404)
        closed = self.create_event(dict(EVENT, title="Затворено", registration_mode="closed"))
        self.assertEqual(self.register(person(1), event=closed).status, 409)
        invite = self.create_event(dict(EVENT, title="С покана", registration_mode="invitation"))
        self.assertEqual(self.register(person(1), event=invite).status, 403)
        past = self.create_event(dict(EVENT, title="Минало", starts_at="2020-01-01T10:00:00+02:00",
                                      ends_at="2020-01-01T12:00:00+02:00"))
        self.assertEqual(self.register(person(1), event=past).status, 409)
        self.api("POST", f"/api/v1/events/{closed['id']}/cancel")
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM registrations")[0][0], 0)
        self.assertEqual(self.s.request("GET", "/r/forged-token-123").status, 404)

    def test_who_may_call_each_registration_route(self):
        reg = self.register(person(1)).json()
        rid, eid = reg["id"], self.event["id"]
        link = reg["manage_url"].replace("http://127.0.0.1:8080", "")
        other = {"Authorization": "Bearer " + add_organiser(self.s, "other@ruse.bg", "Друг")}

        def code(r):
            return (r.status, r.json()["error"]["code"])
        # The attendee list and the form settings: the event's managers; another organiser knows
        # the published event exists (403), a registration in it is not told (404).
        self.assertEqual(code(self.s.request("GET", f"/api/v1/events/{eid}/registrations")), (401, "unauthorized"))
        self.assertEqual(code(self.s.request("GET", f"/api/v1/events/{eid}/registrations", headers=other)),
                         (403, "forbidden"))
        self.assertEqual(self.api("GET", f"/api/v1/events/{eid}/registrations").json()["total"], 1)
        self.assertEqual(code(self.s.request("GET", f"/api/v1/events/{eid}/registration-form", headers=other)),
                         (403, "forbidden"))
        self.assertEqual(code(self.s.request("PUT", f"/api/v1/events/{eid}/registration-form", body={"fields": {}},
                                             headers=other)), (403, "forbidden"))
        self.assertEqual(code(self.s.request("PATCH", f"/api/v1/registrations/{rid}", body={"name": "Чуждо"},
                                             headers=other)), (404, "not_found"))
        self.assertEqual(self.api("PATCH", "/api/v1/registrations/999999", {"name": "Никой"}).status, 404)
        draft = self.create_event(dict(EVENT, title="Чернова"), publish=False)
        self.assertEqual(code(self.s.request("GET", f"/api/v1/events/{draft['id']}/registration-form", headers=other)),
                         (404, "not_found"))
        # The same on the pages: a stranger is sent to sign in; another organiser is refused.
        anon = self.s.request("GET", f"/admin/registrations/{rid}")
        self.assertEqual((anon.status, anon.header("Location")), (303, f"/login?next=/admin/registrations/{rid}"))
        b = Browser(self.s)
        b.login("other@ruse.bg", "password-123")
        self.assertEqual(b.get(f"/admin/registrations/{rid}").status, 404)
        self.assertEqual(b.get(f"/admin/events/{eid}/form").status, 403)
        self.assertEqual(b.get(f"/admin/events/{eid}/cancel").status, 403)
        self.assertEqual(b.get(f"/admin/events/{draft['id']}/cancel").status, 404)
        # Registering: a draft is not there for visitors.
        self.assertEqual(self.s.request("GET", f"/events/{draft['slug']}/register").status, 404)
        self.assertEqual(self.s.request("GET", f"/events/{self.event['slug']}/register").status, 200)
        # The personal link is the key; a made-up one opens nothing.
        self.assertEqual(self.s.request("GET", link + "/event.ics").header("Content-Type"), "text/calendar; charset=utf-8")
        self.assertEqual(self.s.request("GET", "/r/made-up-token/event.ics").status, 404)
        self.assertEqual(self.s.request("POST", "/r/made-up-token", body="action=cancel&confirm=1",
                                        headers={"Content-Type": "application/x-www-form-urlencoded"}).status, 404)
        self.assertEqual(self.s.sql("SELECT name, status FROM registrations"), [("Участник 1", "confirmed")])

    def test_no_waiting_list_and_the_registration_window(self):
        full = self.create_event(dict(EVENT, title="Без чакащи", capacity=1, waitlist=False))
        self.assertFalse(full["waitlist"])
        self.assertEqual(self.register(person(1), event=full).status, 201)
        r = self.register(person(2), event=full)
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json()["error"]["code"], "event_full")
        later = self.create_event(dict(EVENT, title="По-късно", registration_opens_at="2031-01-01T09:00:00+02:00"))
        self.assertEqual(self.register(person(3), event=later).json()["error"]["code"], "registration_not_open")
        self.assertNotIn("/register", self.s.request("GET", "/events/" + later["slug"]).text)
        over = self.create_event(dict(EVENT, title="Изтекъл срок", registration_closes_at="2020-01-01T09:00:00+02:00"))
        self.assertEqual(self.register(person(4), event=over).json()["error"]["code"], "registration_deadline")
        bad = self.api("POST", "/api/v1/events", dict(EVENT, registration_opens_at="2031-02-01T09:00:00+02:00",
                                                      registration_closes_at="2031-01-01T09:00:00+02:00"))
        self.assertEqual(bad.status, 422)
        self.assertIn("registration_closes_at", bad.json()["error"]["fields"])
        self.assertEqual(dict(self.s.sql("SELECT email, status FROM registrations")), {"p1@example.bg": "confirmed"})

    def test_moderated_events_wait_for_approval(self):
        ev = self.create_event(dict(EVENT, title="С одобрение", registration_mode="moderated", capacity=1))
        a = self.register(person(1), event=ev).json()
        b = self.register(person(2), event=ev).json()
        self.assertEqual(a["status"], "pending")
        r = self.api("PATCH", f"/api/v1/registrations/{a['id']}", {"status": "confirmed"})
        self.assertEqual(r.json()["status"], "confirmed")
        r = self.api("PATCH", f"/api/v1/registrations/{b['id']}", {"status": "confirmed"})
        self.assertEqual(r.status, 409)  # never beyond capacity
        r = self.api("PATCH", f"/api/v1/registrations/{b['id']}", {"status": "rejected"})
        self.assertEqual(r.json()["status"], "rejected")

    def test_a_status_that_is_none_is_refused_and_changes_nothing(self):
        rid = self.register(person(1)).json()["id"]
        for status in ("approved", "Confirmed", "pending", ""):
            r = self.api("PATCH", f"/api/v1/registrations/{rid}", {"status": status, "name": "Друго име"})
            self.assertEqual(r.status, 422, status)
            self.assertEqual(r.json()["error"]["code"], "unknown_value")
        self.assertEqual(self.s.sql("SELECT name, status FROM registrations WHERE id = ?", rid),
                         [(person(1)["name"], "confirmed")])
        # A filter that names no status matches nobody (it is not "all").
        path = f"/api/v1/events/{self.event['id']}/registrations"
        self.assertEqual(self.api("GET", path + "?status=approved").json()["total"], 0)
        self.assertEqual(self.api("GET", path + "?status=").json()["total"], 1)

    def test_organiser_list_search_and_check_in(self):
        self.register(person(1, name="Мария Иванова", organisation="НПО „Мост“"))
        self.register(person(2, name="Petar Ivanov", town="Габрово"))
        path = f"/api/v1/events/{self.event['id']}/registrations"
        q = lambda s: self.api("GET", path + s).json()
        self.assertEqual([r["name"] for r in q("?q=%D0%B8%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2%D0%B0")["items"]], ["Мария Иванова"])
        self.assertEqual([r["name"] for r in q("?q=IVANOV")["items"]], ["Petar Ivanov"])
        self.assertEqual([r["name"] for r in q("?q=%D0%B3%D0%B0%D0%B1%D1%80%D0%BE%D0%B2%D0%BE")["items"]], ["Petar Ivanov"])
        self.assertEqual(q("?q=%25")["total"], 0)  # % is text, not a wildcard
        self.assertEqual(q("?status=confirmed")["total"], 2)
        self.assertEqual(self.api("GET", path, auth=False).status, 401)
        rid = q("")["items"][0]["id"]
        r = self.api("PATCH", f"/api/v1/registrations/{rid}", {"checked_in": True})
        self.assertTrue(r.json()["checked_in_at"])
        r = self.api("PATCH", f"/api/v1/registrations/{rid}", {"checked_in": "yes"})
        self.assertEqual(r.status, 422)

    def test_html_form_keeps_values_and_refuses_bots_and_forgeries(self):
        slug = self.event["slug"]
        page = self.s.request("GET", "/events/" + slug)
        self.assertIn(f'href="/events/{slug}/register"', page.text)
        b = Browser(self.s)
        form = b.get(f"/events/{slug}/register")
        self.assertEqual(form.status, 200)
        token = Browser.csrf(form)
        r = b.post(f"/events/{slug}/register", {"csrf_token": token, "name": "<b>Иван</b>", "email": "bad"})
        self.assertEqual(r.status, 422)
        self.assertIn("value=\"&lt;b&gt;Иван&lt;/b&gt;\"", r.text)
        self.assertIn("Това не е валиден адрес", r.text)
        r = b.post(f"/events/{slug}/register", {"csrf_token": token, "name": "Бот", "email": "bot@example.bg",
                                                 "consent": "1", "website": "http://spam"})
        self.assertEqual(r.status, 400)
        r = b.post(f"/events/{slug}/register", {"name": "Без токен", "email": "x@example.bg", "consent": "1"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM registrations")[0][0], 0)
        r = b.post(f"/events/{slug}/register", {"csrf_token": token, "name": "Иван Петров", "email": "ivan@example.bg",
                                                 "consent": "1", "organisation_type": "municipality"})
        self.assertEqual(r.status, 201)
        self.assertIn("Регистрацията Ви е потвърдена", r.text)
        manage = re.search(r'href="(/r/[^"]+)"', r.text).group(1)
        ics = b.get(manage + "/event.ics")
        self.assertEqual(ics.header("Content-Type"), "text/calendar; charset=utf-8")
        self.assertIn("BEGIN:VEVENT", ics.text)

    def test_hundreds_of_simultaneous_registrations_never_overbook(self):
        ev = self.create_event(dict(EVENT, title="Малко места", capacity=10))

        def one(i):
            return self.register(person(i), event=ev).status

        with concurrent.futures.ThreadPoolExecutor(max_workers=32) as pool:
            codes = list(pool.map(one, range(200)))
        self.assertEqual(codes, [201] * 200)
        counts = dict(self.s.sql("SELECT status, COUNT(*) FROM registrations WHERE event_id = ? GROUP BY status", ev["id"]))
        self.assertEqual(counts, {"confirmed": 10, "waitlisted": 190})


if __name__ == "__main__":
    unittest.main()
