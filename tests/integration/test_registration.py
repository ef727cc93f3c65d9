"""Registration: seats decided in the write transaction, the waiting list, personal links, mail."""
import concurrent.futures
import glob
import re
import time
import unittest

from harness import Server, Browser, EventMailTestCase, add_organiser
from smtp_sink import Sink

EVENT = {
    "title": "Семинар „Мрежи“",
    "kind": "seminar",
    "starts_at": "2031-08-11T10:00:00+03:00",
    "ends_at": "2031-08-11T17:00:00+03:00",
    "venue": "Доходно здание",
    "city": "Русе",
    "capacity": 2,
    "registration_mode": "open",
    "organisers": ["Община Русе"],
}


def person(i, **kw):
    p = {"name": f"Участник {i}", "email": f"p{i}@example.bg", "organisation": "Община Русе",
         "position": "експерт", "consent": True}
    p.update(kw)
    return p


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


class AttendeePagesTest(unittest.TestCase):
    def setUp(self):
        self.s = Server(env={"SABOR_MAIL_SMTP_URL": "", "SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "0"})
        self.s.cli("user", "add", "--email", "org@ruse.bg", "--name", "Организатор", stdin="password-123\n")
        self.s.cli("user", "add", "--email", "other@ruse.bg", "--name", "Друг", stdin="password-123\n")
        token = self.s.cli("token", "create", "--email", "org@ruse.bg").stdout.strip()
        h = {"Authorization": "Bearer " + token}
        self.ev = self.s.request("POST", "/api/v1/events", dict(EVENT, capacity=3, funding_statement="Проектът се осъществява с ЕСФ+."), headers=h).json()
        self.s.request("POST", f"/api/v1/events/{self.ev['id']}/publish", headers=h)
        for i, (name, org) in enumerate([("Яна Янева", "Община Русе"), ("Ася Асенова", "=HYPERLINK(\"http://evil\")"),
                                         ("Борис Борисов", "НПО „Мост“"), ("Цвета Цветанова", "Община Габрово")]):
            r = self.s.request("POST", f"/api/v1/events/{self.ev['id']}/registrations",
                               body={"name": name, "email": f"p{i}@example.bg", "organisation": org, "consent": True})
            assert r.status == 201, r.text
        self.b = Browser(self.s)
        self.b.login("org@ruse.bg", "password-123")

    def tearDown(self):
        self.s.close()

    def test_list_is_in_bulgarian_order_and_actions_work(self):
        path = f"/admin/events/{self.ev['id']}/registrations"
        page = self.b.get(path)
        self.assertEqual(page.status, 200)
        t = page.text
        self.assertLess(t.index("Ася Асенова"), t.index("Борис Борисов"))
        self.assertLess(t.index("Борис Борисов"), t.index("Цвета Цветанова"))
        self.assertLess(t.index("Цвета Цветанова"), t.index("Яна Янева"))
        self.assertIn("Яна Янева", self.b.get(path + "?q=%D1%8F%D0%BD%D0%B0").text)
        self.assertNotIn("Борис", self.b.get(path + "?q=%D1%8F%D0%BD%D0%B0").text)
        # Cancel a confirmed one: the waiting one (Цвета, fourth) is promoted.
        rid = self.s.sql("SELECT id FROM registrations WHERE name = 'Яна Янева'")[0][0]
        r = self.b.post(f"/admin/registrations/{rid}", {"csrf_token": Browser.csrf(page), "action": "cancel", "back": path,
                                                        "confirm": "1"})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), path + "?did=cancel")  # the list says what was done
        st = dict(self.s.sql("SELECT name, status FROM registrations"))
        self.assertEqual(st["Цвета Цветанова"], "confirmed")
        self.assertEqual(st["Яна Янева"], "cancelled")
        bid = self.s.sql("SELECT id FROM registrations WHERE name = 'Борис Борисов'")[0][0]
        self.b.post(f"/admin/registrations/{bid}", {"csrf_token": Browser.csrf(page), "action": "check_in", "back": path})
        self.assertTrue(self.s.sql("SELECT checked_in_at FROM registrations WHERE id = ?", bid)[0][0])
        self.assertEqual(self.b.post(f"/admin/registrations/{bid}", {"action": "check_in"}).status, 403)
        actions = [a for (a,) in self.s.sql("SELECT action FROM audit_log ORDER BY id")]
        self.assertEqual(actions, ["registration.cancel", "registration.check_in"])
        other = Browser(self.s)
        other.login("other@ruse.bg", "password-123")
        self.assertEqual(other.get(path).status, 403)

    def test_csv_has_bom_neutralised_formulas_and_bulgarian_headers(self):
        r = self.b.get(f"/admin/events/{self.ev['id']}/registrations.csv")
        self.assertEqual(r.status, 200)
        self.assertTrue(r.body.startswith(b"\xef\xbb\xbf"))
        text = r.body.decode("utf-8-sig")
        lines = text.split("\r\n")
        self.assertTrue(lines[0].startswith("№;Име и фамилия;Електронна поща;Организация"))  # ';' for Bulgarian Excel
        self.assertIn("'=HYPERLINK(\"\"http://evil\"\")", text)
        self.assertEqual(lines[1].split(";")[1], "Ася Асенова")
        self.assertIn("registrations.export_csv", [a for (a,) in self.s.sql("SELECT action FROM audit_log")])

    def test_check_in_by_qr_link_and_at_the_desk(self):
        ya = self.s.sql("SELECT id FROM registrations WHERE name = 'Яна Янева'")[0][0]
        path = f"/admin/events/{self.ev['id']}/checkin"
        desk = self.b.get(path + "?q=%D1%8F%D0%BD%D0%B0")  # "яна"
        self.assertEqual(desk.status, 200)
        self.assertIn("Яна Янева", desk.text)
        self.assertIn('src="/static/js/checkin.js"', desk.text)
        r = self.b.post(f"/admin/registrations/{ya}", {"csrf_token": Browser.csrf(desk), "action": "check_in",
                                                       "back": path + "?q=%D1%8F%D0%BD%D0%B0"})
        self.assertEqual(r.status, 303)
        self.assertTrue(self.s.sql("SELECT checked_in_at FROM registrations WHERE id = ?", ya)[0][0])
        self.assertIn("is-in", self.b.get(path + "?q=%D1%8F%D0%BD%D0%B0").text)
        # The code in the QR link opens the card for the organiser; a forged one does not.
        boris = self.s.sql("SELECT id FROM registrations WHERE name = 'Борис Борисов'")[0][0]
        # The mail worker builds and writes the messages after the commits: wait for the third.
        deadline = time.monotonic() + 10
        while len(glob.glob(self.s.data_dir + "/mail/*.eml")) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        with open(sorted(glob.glob(self.s.data_dir + "/mail/*.eml"))[2], "rb") as f:
            mail = f.read()
        import re as _re
        # The mail links the participant's own card (issue 11); the QR in it opens the organiser's page.
        self.assertNotIn(b"/admin/checkin/", mail.replace(b"=\r\n", b""))
        code = _re.search(rb"/card/([0-9]+-[0-9a-f]+)", mail.replace(b"=\r\n", b"")).group(1).decode()
        self.assertTrue(code.startswith(str(boris) + "-"))
        card = self.b.get("/admin/checkin/" + code)
        self.assertEqual(card.status, 200)
        self.assertIn("Борис Борисов", card.text)
        self.assertEqual(self.b.get(f"/admin/checkin/{boris}-0000").status, 404)
        self.assertEqual(self.b.get(f"/admin/checkin/{ya}-" + code.split("-")[1]).status, 404)
        self.assertEqual(Browser(self.s).get("/admin/checkin/" + code).status, 303)  # sign in first
        # Another organiser's phone: the code names a registration in an event they do not manage,
        # whose existence is not told.
        other = Browser(self.s)
        other.login("other@ruse.bg", "password-123")
        self.assertEqual(other.get("/admin/checkin/" + code).status, 404)

    def test_another_organiser_is_refused_the_same_way_everywhere(self):
        ev = self.ev["id"]
        ya = self.s.sql("SELECT id FROM registrations WHERE name = 'Яна Янева'")[0][0]
        other = Browser(self.s)
        other.login("other@ruse.bg", "password-123")
        token = Browser.csrf(other.get("/admin"))
        # A registration in someone else's event is not told: 404, as for one that does not exist.
        for rid in (ya, 999999):
            r = other.post(f"/admin/registrations/{rid}", {"csrf_token": token, "action": "cancel", "confirm": "1"})
            self.assertEqual(r.status, 404, rid)
        self.assertEqual(self.b.post("/admin/registrations/999999",
                                     {"csrf_token": Browser.csrf(self.b.get("/admin")), "action": "check_in"}).status, 404)
        self.assertEqual(self.s.sql("SELECT status FROM registrations WHERE id = ?", ya)[0][0], "confirmed")
        # The event itself is public: its organisers' pages answer 403.
        for path in ("registrations", "checkin", "signin-sheet", "registrations.csv", "registrations.xlsx", "mail-texts",
                     "mail-texts/registration_confirmed", "messages"):
            self.assertEqual(other.get(f"/admin/events/{ev}/{path}").status, 403, path)
        r = other.post(f"/admin/events/{ev}/registrations/bulk", {"csrf_token": token, "bulk_action": "cancel",
                                                                   "ids": str(ya), "confirm": "1"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.s.sql("SELECT status FROM registrations WHERE id = ?", ya)[0][0], "confirmed")
        # The API the same way; no account at all: 401; an unknown event: 404.
        other_token = self.s.cli("token", "create", "--email", "other@ruse.bg").stdout.strip()
        h = {"Authorization": "Bearer " + other_token}
        for path in ("statistics", "registrations.csv", "registrations.xlsx", "mail-texts", "scheduled-messages"):
            r = self.s.request("GET", f"/api/v1/events/{ev}/{path}", headers=h)
            self.assertEqual((r.status, r.json()["error"]["code"]), (403, "forbidden"), path)
            self.assertEqual(self.s.request("GET", f"/api/v1/events/{ev}/{path}").status, 401, path)
            self.assertEqual(self.s.request("GET", f"/api/v1/events/99999/{path}", headers=h).status, 404, path)
        # A draft is not told at all.
        draft = self.s.request("POST", "/api/v1/events", dict(EVENT, title="Чернова"),
                               headers={"Authorization": "Bearer " + self.s.cli("token", "create", "--email",
                                                                                 "org@ruse.bg").stdout.strip()}).json()
        self.assertEqual(other.get(f"/admin/events/{draft['id']}/registrations").status, 404)
        self.assertEqual(self.s.request("GET", f"/api/v1/events/{draft['id']}/statistics", headers=h).status, 404)

    def test_walk_ins_are_added_at_the_desk_beyond_capacity(self):
        path = f"/admin/events/{self.ev['id']}/checkin"
        desk = self.b.get(path + "?q=%D0%B6%D0%B5%D0%BA%D0%BE")  # "жеко": nobody, so the walk-in form is open
        self.assertIn("<details class=\"walk-in\" open>", desk.text)
        token = Browser.csrf(desk)
        r = self.b.post(f"/admin/events/{self.ev['id']}/walk-in",
                        {"csrf_token": token, "name": "Нов Участник", "organisation": "Община Бяла", "town": "Бяла"})
        self.assertEqual(r.status, 303)
        row = self.s.sql("SELECT status, source, checked_in_at IS NOT NULL, email FROM registrations WHERE name = 'Нов Участник'")
        self.assertEqual(row, [("confirmed", "desk", 1, "")])  # capacity 3 is full: they are in the room anyway
        # A second walk-in without an address is a second person, not a duplicate.
        self.b.post(f"/admin/events/{self.ev['id']}/walk-in", {"csrf_token": token, "name": "Втори Участник"})
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM registrations WHERE email = ''")[0][0], 2)
        # An address already registered (waitlisted Цвета, p3): that registration is confirmed and checked in.
        self.b.post(f"/admin/events/{self.ev['id']}/walk-in", {"csrf_token": token, "name": "Цвета", "email": "P3@example.bg"})
        self.assertEqual(self.s.sql("SELECT status, checked_in_at IS NOT NULL FROM registrations WHERE email = 'p3@example.bg'"),
                         [("confirmed", 1)])
        for bad in ({"csrf_token": token, "name": ""}, {"csrf_token": token, "name": "Х", "email": "not-an-address"},
                    {"csrf_token": token, "name": "Иван\r\nBcc: x@y.bg"}):
            self.assertEqual(self.b.post(f"/admin/events/{self.ev['id']}/walk-in", bad).status, 422)
        self.assertEqual(self.b.post(f"/admin/events/{self.ev['id']}/walk-in", {"name": "Без токен"}).status, 403)
        other = Browser(self.s)
        other.login("other@ruse.bg", "password-123")
        page = other.get("/admin")
        self.assertEqual(other.post(f"/admin/events/{self.ev['id']}/walk-in",
                                    {"csrf_token": Browser.csrf(page), "name": "Чужд"}).status, 403)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM registrations WHERE source = 'desk'")[0][0], 2)

    def test_the_desk_finds_everyone_and_admits_the_waiting_list(self):
        path = f"/admin/events/{self.ev['id']}/checkin"
        q = "?q=%D1%86%D0%B2%D0%B5%D1%82%D0%B0"  # "цвета", waitlisted: capacity 3 is full
        desk = self.b.get(path + q)
        self.assertEqual(desk.status, 200)
        item = re.search(r'<li class="checkin-item[^"]*" data-status="waitlisted">.*?</li>', desk.text, re.S)
        self.assertIsNotNone(item, "the desk does not find the waitlisted person")
        item = item.group(0)
        self.assertIn("Цвета Цветанова", item)
        self.assertIn("В списъка на чакащите", item)
        self.assertIn("Номер 1 в списъка на чакащите.", item)
        self.assertIn("Няма свободни места (3 от 3 са заети)", item)
        self.assertIn('value="admit_over_capacity"', item)
        self.assertNotIn('value="admit"', item)
        self.assertNotIn('value="check_in"', item)
        self.assertNotIn("walk-in\" open", desk.text)  # found: no duplicate walk-in offered first
        cid = self.s.sql("SELECT id FROM registrations WHERE name = 'Цвета Цветанова'")[0][0]
        token = Browser.csrf(desk)
        # "Admit" with no seat left is refused, changes nothing and says so at the desk.
        r = self.b.post(f"/admin/registrations/{cid}", {"csrf_token": token, "action": "admit", "back": path + q})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), path + q + "&seat_gone=1")
        self.assertIn("местата свършиха", self.b.get(r.header("Location")).text)
        self.assertEqual(self.s.sql("SELECT status, checked_in_at FROM registrations WHERE id = ?", cid), [("waitlisted", None)])
        # The organiser's explicit choice: over capacity, confirmed and checked in at once, audited.
        r = self.b.post(f"/admin/registrations/{cid}", {"csrf_token": token, "action": "admit_over_capacity", "back": path + q})
        self.assertEqual(r.status, 303)
        self.assertEqual(r.header("Location"), path + q + "&admitted=1")
        self.assertEqual(self.s.sql("SELECT status, checked_in_at IS NOT NULL FROM registrations WHERE id = ?", cid),
                         [("confirmed", 1)])
        self.assertEqual(self.s.sql("SELECT action, detail FROM audit_log WHERE subject_id = ?", cid),
                         [("registration.admit_over_capacity", "was waitlisted")])
        after = self.b.get(r.header("Location"))
        self.assertIn("допуснат и отбелязан", after.text)
        self.assertIn("is-in", after.text)
        self.assertIn("4</strong> / 3", after.text)  # seats taken, plainly over
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM registrations WHERE name LIKE 'Цвета%'")[0][0], 1)

        # Cancelled and rejected people are found with their status; with a seat free they are admitted.
        self.s.sql("UPDATE events SET capacity = 10 WHERE id = ?", self.ev["id"])
        ya = self.s.sql("SELECT id FROM registrations WHERE name = 'Яна Янева'")[0][0]
        self.b.post(f"/admin/registrations/{ya}", {"csrf_token": token, "action": "cancel", "back": path, "confirm": "1"})
        desk = self.b.get(path + "?q=%D1%8F%D0%BD%D0%B0")  # "яна"
        item = re.search(r'<li class="checkin-item[^"]*" data-status="cancelled">.*?</li>', desk.text, re.S).group(0)
        self.assertIn("Регистрацията е отменена.", item)
        self.assertIn("Има свободно място", item)
        self.assertIn('value="admit"', item)
        r = self.b.post(f"/admin/registrations/{ya}", {"csrf_token": token, "action": "admit", "back": path})
        self.assertEqual(r.header("Location"), path + "?admitted=1")
        self.assertEqual(self.s.sql("SELECT status, checked_in_at IS NOT NULL FROM registrations WHERE id = ?", ya),
                         [("confirmed", 1)])
        # Only organisers of the event, only with the form's token.
        self.assertEqual(self.b.post(f"/admin/registrations/{ya}", {"action": "admit"}).status, 403)

    def test_the_desk_admits_a_pending_request(self):
        token = self.s.cli("token", "create", "--email", "org@ruse.bg").stdout.strip()
        h = {"Authorization": "Bearer " + token}
        ev = self.s.request("POST", "/api/v1/events", dict(EVENT, title="Кръгла маса", capacity=5,
                                                             registration_mode="moderated"), headers=h).json()
        self.s.request("POST", f"/api/v1/events/{ev['id']}/publish", headers=h)
        r = self.s.request("POST", f"/api/v1/events/{ev['id']}/registrations",
                           body={"name": "Петър Петров", "email": "petar@example.bg", "consent": True})
        self.assertEqual(r.json()["status"], "pending")
        path = f"/admin/events/{ev['id']}/checkin"
        desk = self.b.get(path + "?q=petar")  # by address too
        item = re.search(r'<li class="checkin-item[^"]*" data-status="pending">.*?</li>', desk.text, re.S).group(0)
        self.assertIn("Заявката чака одобрение от организатор.", item)
        r = self.b.post(f"/admin/registrations/{r.json()['id']}", {"csrf_token": Browser.csrf(desk), "action": "admit",
                                                                    "back": path + "?q=petar"})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.s.sql("SELECT status, checked_in_at IS NOT NULL FROM registrations WHERE email = 'petar@example.bg'"),
                         [("confirmed", 1)])

    def test_bulk_actions_on_ticked_rows(self):
        path = f"/admin/events/{self.ev['id']}/registrations"
        page = self.b.get(path)
        self.assertIn('form="bulk"', page.text)
        token = Browser.csrf(page)
        ids = dict(self.s.sql("SELECT name, id FROM registrations"))
        # Check in two confirmed at once; the waitlisted one cannot be checked in and is counted.
        picked = [("ids", ids["Яна Янева"]), ("ids", ids["Ася Асенова"]), ("ids", ids["Цвета Цветанова"])]
        r = self.b.post(path + "/bulk", [("csrf_token", token), ("bulk_action", "check_in"), ("back", path)] + picked)
        self.assertEqual(r.status, 303)
        self.assertIn("done=2&refused=1", r.header("Location"))
        listed = self.b.get(r.header("Location"))
        self.assertIn("Готово: 2.", listed.text)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM registrations WHERE checked_in_at IS NOT NULL")[0][0], 2)
        # Cancel two: the waiting one is promoted; each action is in the audit log.
        r = self.b.post(path + "/bulk", [("csrf_token", token), ("bulk_action", "cancel"), ("back", path), ("confirm", "1"),
                                         ("ids", ids["Яна Янева"]), ("ids", ids["Борис Борисов"])])
        self.assertEqual(r.status, 303)
        self.assertEqual(self.s.sql("SELECT status FROM registrations WHERE id = ?", ids["Цвета Цветанова"])[0][0], "confirmed")
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'registration.cancel' AND detail = 'bulk'")[0][0], 2)
        # An id of another event, an unknown action, no token: nothing changes.
        before = self.s.sql("SELECT id, status, checked_in_at FROM registrations ORDER BY id")
        self.assertEqual(self.b.post(path + "/bulk", [("csrf_token", token), ("bulk_action", "cancel"),
                                                      ("ids", ids["Ася Асенова"]), ("ids", "999999")]).status, 404)
        self.assertEqual(self.b.post(path + "/bulk", [("csrf_token", token), ("bulk_action", "delete"),
                                                      ("ids", ids["Ася Асенова"])]).status, 400)
        self.assertEqual(self.b.post(path + "/bulk", [("bulk_action", "cancel"), ("ids", ids["Ася Асенова"])]).status, 403)
        self.assertEqual(self.s.sql("SELECT id, status, checked_in_at FROM registrations ORDER BY id"), before)

    def test_personal_page_shows_a_qr_code_only_when_confirmed(self):
        import base64
        r = self.s.request("POST", f"/api/v1/events/{self.ev['id']}/registrations",
                           body={"name": "Ива", "email": "iva@example.bg", "consent": True})
        self.assertEqual(r.json()["status"], "waitlisted")
        page = self.s.request("GET", r.json()["manage_url"].replace("http://127.0.0.1:8080", ""))
        self.assertNotIn("data:image/svg+xml;base64,", page.text)
        open_ev = self.s.request("POST", "/api/v1/events", dict(EVENT, title="Без ограничение", capacity=0),
                                 headers={"Authorization": "Bearer " + self.s.cli("token", "create", "--email", "org@ruse.bg").stdout.strip()}).json()
        token = self.s.cli("token", "create", "--email", "org@ruse.bg").stdout.strip()
        self.s.request("POST", f"/api/v1/events/{open_ev['id']}/publish", headers={"Authorization": "Bearer " + token})
        r = self.s.request("POST", f"/api/v1/events/{open_ev['id']}/registrations",
                           body={"name": "Ива", "email": "iva@example.bg", "consent": True})
        self.assertEqual(r.json()["status"], "confirmed")
        page = self.s.request("GET", r.json()["manage_url"].replace("http://127.0.0.1:8080", ""))
        uri = re.search(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page.text).group(1)
        svg = base64.b64decode(uri).decode()
        self.assertTrue(svg.startswith("<svg"))
        self.assertIn("h1v1h-1z", svg)

    def test_statistics_by_type_and_town(self):
        token = self.s.cli("token", "create", "--email", "org@ruse.bg").stdout.strip()
        h = {"Authorization": "Bearer " + token}
        for i, (t, town) in enumerate([("municipality", "Русе"), ("ngo", "Русе"), ("municipality", "Габрово")]):
            self.s.request("POST", f"/api/v1/events/{self.ev['id']}/registrations",
                           body={"name": f"Х {i}", "email": f"s{i}@example.bg", "organisation_type": t, "town": town,
                                 "consent": True})
        st = self.s.request("GET", f"/api/v1/events/{self.ev['id']}/statistics", headers=h).json()
        self.assertEqual(st["registered"], 3)  # the waiting list is not registered
        self.assertEqual(st["confirmed"], 3)
        self.assertEqual(st["waitlisted"], 4)
        self.assertEqual({g["value"]: (g["registered"], g["waitlisted"]) for g in st["by_organisation_type"]},
                         {"": (3, 1), "municipality": (0, 2), "ngo": (0, 1)})
        self.assertEqual({g["value"]: (g["registered"], g["waitlisted"]) for g in st["by_town"]},
                         {"": (3, 1), "Русе": (0, 2), "Габрово": (0, 1)})
        page = self.b.get(f"/admin/events/{self.ev['id']}/registrations").text
        self.assertIn("По вид организация", page)
        self.assertIn("<td>Община</td><td>0</td><td>2</td>", page)

    def test_xlsx_is_a_real_workbook_with_the_same_columns(self):
        import io
        import zipfile
        r = self.b.get(f"/admin/events/{self.ev['id']}/registrations.xlsx")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        z = zipfile.ZipFile(io.BytesIO(r.body))
        self.assertIn("xl/worksheets/sheet1.xml", z.namelist())
        strings = z.read("xl/sharedStrings.xml").decode("utf-8")
        for text in ["Име и фамилия", "Ася Асенова", "<t>=HYPERLINK(\"http://evil\")</t>"]:
            self.assertIn(text, strings)
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
        self.assertNotIn("<f>", sheet)  # text cells only, never a formula
        self.assertIn("registrations.export_xlsx", [a for (a,) in self.s.sql("SELECT action FROM audit_log")])

    def test_signin_sheet_lists_confirmed_with_blank_rows_and_funding(self):
        r = self.b.get(f"/admin/events/{self.ev['id']}/signin-sheet?blank=3")
        self.assertEqual(r.status, 200)
        t = r.text
        self.assertIn("Присъствен списък", t)
        self.assertIn("Проектът се осъществява с ЕСФ+.", t)
        self.assertIn("Подпис", t)
        self.assertNotIn("Проект:", t)  # no project title: no empty line for it
        self.assertIn("Ася Асенова", t)
        self.assertNotIn("Цвета Цветанова", t)  # waitlisted: not on the confirmed sheet
        self.assertEqual(t.count('<td class="sig"></td>'), 3 + 3)
        r = self.b.get(f"/admin/events/{self.ev['id']}/signin-sheet?all=1&sort=organisation&blank=0")
        self.assertIn("Цвета Цветанова", r.text)


class PublicListTest(unittest.TestCase):
    def test_only_consenting_confirmed_participants_and_only_when_turned_on(self):
        s = Server(env={"SABOR_MAIL_SMTP_URL": "", "SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "0"})
        try:
            s.cli("user", "add", "--email", "org@ruse.bg", "--name", "Орг", stdin="password-123\n")
            h = {"Authorization": "Bearer " + s.cli("token", "create", "--email", "org@ruse.bg").stdout.strip()}
            ev = s.request("POST", "/api/v1/events", dict(EVENT, capacity=2), headers=h).json()
            self.assertFalse(ev["public_participants"])
            s.request("POST", f"/api/v1/events/{ev['id']}/publish", headers=h)
            for i, listed in enumerate([True, False, True]):
                s.request("POST", f"/api/v1/events/{ev['id']}/registrations",
                          body=person(i, name=f"Участник {i} <b>", public_listing=listed))
            path = f"/events/{ev['slug']}/participants"
            self.assertEqual(s.request("GET", path).status, 404)  # off by default
            r = s.request("PATCH", f"/api/v1/events/{ev['id']}", {"public_participants": True}, headers=h)
            self.assertTrue(r.json()["public_participants"])
            page = s.request("GET", path)
            self.assertEqual(page.status, 200)
            self.assertIn("Участник 0 &lt;b&gt;", page.text)
            self.assertNotIn("Участник 1", page.text)   # did not consent
            self.assertNotIn("Участник 2", page.text)   # consented, but on the waiting list
            self.assertNotIn("p0@example.bg", page.text)  # never the e-mail
            self.assertIn(path, s.request("GET", "/events/" + ev["slug"]).text)
            self.assertEqual(s.request("PATCH", f"/api/v1/events/{ev['id']}", {"public_participants": "yes"}, headers=h).status, 422)
        finally:
            s.close()


class CrashTest(unittest.TestCase):
    def test_kill_9_during_a_burst_loses_no_acknowledged_registration(self):
        import signal
        import threading
        s = Server(env={"SABOR_MAIL_SMTP_URL": "", "SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "0"})
        try:
            s.cli("user", "add", "--email", "org@ruse.bg", "--name", "Орг", stdin="password-123\n")
            token = s.cli("token", "create", "--email", "org@ruse.bg").stdout.strip()
            h = {"Authorization": "Bearer " + token}
            ev = s.request("POST", "/api/v1/events", dict(EVENT, capacity=0), headers=h).json()
            s.request("POST", f"/api/v1/events/{ev['id']}/publish", headers=h)
            acknowledged = []
            lock = threading.Lock()

            def burst(worker):
                for i in range(1000):
                    try:
                        r = s.request("POST", f"/api/v1/events/{ev['id']}/registrations",
                                      body=person(f"{worker}-{i}"), timeout=5)
                    except Exception:
                        return  # the server is gone
                    if r.status == 201:
                        with lock:
                            acknowledged.append(r.json()["email"])

            threads = [threading.Thread(target=burst, args=(w,)) for w in range(8)]
            for t in threads:
                t.start()
            time.sleep(1.5)
            s.stop(signal.SIGKILL)
            for t in threads:
                t.join()
            self.assertGreater(len(acknowledged), 20)
            self.assertEqual(s.sql("PRAGMA integrity_check")[0][0], "ok")
            stored = {e for (e,) in s.sql("SELECT email FROM registrations")}
            self.assertTrue(set(acknowledged) <= stored, set(acknowledged) - stored)
            # Every stored registration has its confirmation in the outbox: the same transaction.
            self.assertEqual(s.sql("SELECT COUNT(*) FROM registrations")[0][0],
                             s.sql("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'registration_confirmed'")[0][0])
        finally:
            s.close()


class RegistrationRateLimitTest(unittest.TestCase):
    def test_registrations_are_limited_per_address(self):
        s = Server(env={"SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "3", "SABOR_MAIL_SMTP_URL": ""})
        try:
            s.cli("user", "add", "--email", "org@ruse.bg", "--name", "Орг", stdin="password-123\n")
            token = s.cli("token", "create", "--email", "org@ruse.bg").stdout.strip()
            ev = s.request("POST", "/api/v1/events", EVENT, headers={"Authorization": "Bearer " + token}).json()
            s.request("POST", f"/api/v1/events/{ev['id']}/publish", headers={"Authorization": "Bearer " + token})
            codes = [s.request("POST", f"/api/v1/events/{ev['id']}/registrations", body=person(i)).status for i in range(5)]
            self.assertEqual(codes, [201, 201, 201, 429, 429])
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
