"""What organisers and participants hit first (issue 11): cancelling an event tells everyone,
personal links that keep working, a full event that looks full, a new-event form that starts
empty, a confirmed person's page that does not read as waitlisted."""
import re
import time
import unittest

from harness import Browser, EventMailTestCase
from smtp_sink import Sink

EVENT = {
    "title": "Семинар „Зелени общини“",
    "kind": "seminar",
    "starts_at": "2031-05-20T10:00:00+03:00",
    "ends_at": "2031-05-20T16:00:00+03:00",
    "venue": "Зала „Възраждане“",
    "city": "Габрово",
    "capacity": 2,
    "registration_mode": "open",
    "organisers": ["Община Габрово"],
}


def person(i, **kw):
    p = {"name": f"Участник {i}", "email": f"p{i}@example.bg", "organisation": "Община Габрово",
         "position": "Главен експерт", "consent": True}
    p.update(kw)
    return p


class FirstUseTest(EventMailTestCase):
    organiser_email = "org@gabrovo.bg"
    mail_from = "Събор <events@gabrovo.bg>"
    event_fields = EVENT

    def organiser(self):
        b = Browser(self.s, lang="bg")
        b.login("org@gabrovo.bg", "password-123")
        return b

    def mails_to(self, address, n_total, timeout=30):
        msgs = self.sink.wait_for(n_total, timeout=timeout)
        return [Sink.parse(raw) for (_, rcpt, raw) in msgs if rcpt == [address]]

    @staticmethod
    def body_text(msg):
        part = next(p for p in msg.walk() if p.get_content_type() == "text/plain")
        return part.get_content().replace("\r\n", "\n")

    # ---- 1. cancelling an event tells everyone ----

    def test_cancel_through_the_api_mails_everyone_still_expecting_to_come(self):
        self.assertEqual(self.register(person(1)).json()["status"], "confirmed")
        self.assertEqual(self.register(person(2)).json()["status"], "confirmed")
        self.assertEqual(self.register(person(3)).json()["status"], "waitlisted")
        gone = self.register(person(4)).json()  # waitlisted, then cancels: not told again
        self.s.sql("UPDATE registrations SET status = 'cancelled' WHERE id = ?", gone["id"])
        self.s.sql("INSERT INTO mail_suppressions (email, source, created_at) VALUES ('p2@example.bg', 'test', '2030-01-01')")
        self.sink.wait_for(4)

        r = self.api("POST", f"/api/v1/events/{self.event['id']}/cancel",
                     {"message": "Залата е наводнена.\nНова дата: 3 юни."})
        self.assertEqual(r.status, 200, r.text)
        body = r.json()
        self.assertEqual(body["status"], "cancelled")
        self.assertEqual(body["notified"], 3)
        self.assertEqual(body["availability"]["state"], "closed")

        msgs = self.sink.wait_for(7)
        cancelled = [Sink.parse(raw) for (_, rcpt, raw) in msgs[4:]]
        self.assertEqual(sorted(str(m["To"]) for m in cancelled),
                         sorted(f"Участник {i} <p{i}@example.bg>" for i in (1, 2, 3)))  # suppressed p2 too
        m = cancelled[0]
        self.assertIn("отменено", str(m["Subject"]))
        text = self.body_text(m)
        self.assertIn("Залата е наводнена.\nНова дата: 3 юни.", text)
        self.assertIn("/r/", text)
        # The personal link in the mail shows the cancelled event.
        link = re.search(r"http://127\.0\.0\.1:8080(/r/[A-Za-z0-9_-]+)", text).group(1)
        page = self.s.request("GET", link)
        self.assertEqual(page.status, 200)
        self.assertIn("отменено от организаторите", page.text)
        # A second cancel is refused and mails nobody.
        again = self.api("POST", f"/api/v1/events/{self.event['id']}/cancel")
        self.assertEqual(again.status, 409)
        self.s.round()
        self.assertEqual(len(self.sink.handler.messages), 7)

    def test_cancel_api_refuses_bad_input_and_changes_nothing(self):
        self.register(person(1))
        eid = self.event["id"]
        for body, field in (({"message": 5}, "message"), ({"reason": "x"}, "reason"),
                            ({"message": "a" * 2001}, "message"), ({"message": "a\x00b"}, "message")):
            r = self.api("POST", f"/api/v1/events/{eid}/cancel", body)
            self.assertEqual(r.status, 422, (body, r.text))
            self.assertIn(field, r.json()["error"]["fields"])
        r = self.s.request("POST", f"/api/v1/events/{eid}/cancel", body=b"{not json",
                           headers={"Authorization": "Bearer " + self.token, "Content-Type": "application/json"})
        self.assertEqual(r.status, 400)
        self.assertEqual(self.api("POST", f"/api/v1/events/{eid}/cancel", auth=False).status, 401)
        self.assertEqual(self.s.sql("SELECT status FROM events WHERE id = ?", eid)[0][0], "published")
        # Without a body at all: fine, no message.
        r = self.api("POST", f"/api/v1/events/{eid}/cancel")
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["notified"], 1)

    def test_cancelling_from_the_page_asks_first_then_says_how_many_were_told(self):
        self.register(person(1))
        self.register(person(2))
        b = self.organiser()
        eid = self.event["id"]
        form = b.get(f"/admin/events/{eid}")
        # The event's page links to a confirmation; it does not cancel in one click.
        self.assertIn(f'href="/admin/events/{eid}/cancel"', form.text)
        self.assertNotIn(f'action="/admin/events/{eid}/cancel"', form.text)
        confirm = b.get(f"/admin/events/{eid}/cancel")
        self.assertEqual(confirm.status, 200)
        self.assertIn("Писмо за отмяната ще получат 2 души", confirm.text)
        self.assertIn('name="message"', confirm.text)
        # A post without the confirmation's own field cancels nothing.
        r = b.post(f"/admin/events/{eid}/cancel", {"csrf_token": b.csrf(confirm)})
        self.assertEqual(r.status, 303)
        self.assertEqual(self.s.sql("SELECT status FROM events WHERE id = ?", eid)[0][0], "published")
        # A message that is too long comes back in the form with the reason; nothing changes.
        r = b.post(f"/admin/events/{eid}/cancel", {"csrf_token": b.csrf(confirm), "confirm": "1", "message": "я" * 2001})
        self.assertEqual(r.status, 422)
        self.assertIn("field-error", r.text)
        self.assertEqual(self.s.sql("SELECT status FROM events WHERE id = ?", eid)[0][0], "published")
        r = b.post(f"/admin/events/{eid}/cancel",
                   {"csrf_token": b.csrf(confirm), "confirm": "1", "message": "<b>Извинете</b>"})
        self.assertEqual(r.status, 303)
        done = b.get(r.header("Location"))
        self.assertIn("Уведомени по пощата: 2", done.text)
        msgs = self.sink.wait_for(4)
        html = [p.get_content() for (_, _, raw) in msgs[2:] for p in Sink.parse(raw).walk()
                if p.get_content_type() == "text/html"]
        self.assertTrue(html and all("&lt;b&gt;Извинете&lt;/b&gt;" in h for h in html))
        # The public page says so and offers no registration.
        page = self.s.request("GET", f"/events/{self.event['slug']}")
        self.assertNotIn("/register", page.text)

    # ---- 2. a confirmed person's page shows no waiting-list place ----

    def test_personal_page_of_a_confirmed_person_does_not_show_the_job_title_as_a_place(self):
        r = self.register(person(1, position="Главен експерт"))
        page = self.s.request("GET", r.json()["manage_url"].replace("http://127.0.0.1:8080", ""))
        self.assertEqual(page.status, 200)
        status = re.search(r"<dt>Състояние</dt><dd>(.*?)</dd>", page.text).group(1)
        self.assertNotIn("Главен експерт", status)
        self.assertNotIn("чакащите", status)
        self.register(person(2))
        w = self.register(person(3, position="Кмет"))
        page = self.s.request("GET", w.json()["manage_url"].replace("http://127.0.0.1:8080", ""))
        status = re.search(r"<dt>Състояние</dt><dd>(.*?)</dd>", page.text).group(1)
        self.assertIn("1)", status)
        self.assertNotIn("Кмет", status)

    # ---- 3. personal links keep working ----

    def test_every_link_sent_keeps_working_until_the_registration_is_cancelled(self):
        first = self.register(person(1)).json()
        self.register(person(2))
        waiting = self.register(person(3)).json()
        link_waiting = waiting["manage_url"].replace("http://127.0.0.1:8080", "")
        link_first = first["manage_url"].replace("http://127.0.0.1:8080", "")
        # A repeat registration with the same address (anyone can do it) mails a link again...
        again = self.register(person(1))
        self.assertIn(again.status, (201, 409))
        # ...and the promotion of the waiting person mails them a new one.
        r = self.api("PATCH", f"/api/v1/registrations/{first['id']}", {"status": "cancelled"})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(self.s.sql("SELECT status FROM registrations WHERE id = ?", waiting["id"])[0][0], "confirmed")
        # The links from the first mails still open the pages.
        self.assertEqual(self.s.request("GET", link_waiting).status, 200)
        self.assertIn("Потвърдена", self.s.request("GET", link_waiting).text)
        self.assertEqual(self.s.request("GET", link_first).status, 200)
        # And the new one from the promotion mail works too.
        msgs = self.sink.wait_for(6)
        promoted = [Sink.parse(raw) for (_, rcpt, raw) in msgs if rcpt == ["p3@example.bg"]]
        links = {re.search(r"(/r/[A-Za-z0-9_-]+)", self.body_text(m)).group(1) for m in promoted}
        self.assertEqual(len(links), 2)
        for link in links:
            self.assertEqual(self.s.request("GET", link).status, 200)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM registration_links WHERE registration_id = ?",
                                    waiting["id"])[0][0], 2)

    # ---- 4. the new-event form starts empty ----

    def test_new_event_form_starts_empty(self):
        b = self.organiser()
        page = b.get("/admin/events/new")
        self.assertEqual(page.status, 200)
        for field in ("starts_at", "ends_at"):
            m = re.search(rf'<input id="{field}"[^>]*value="([^"]*)"', page.text)
            self.assertIsNotNone(m, field)
            self.assertEqual(m.group(1), "", field)
        self.assertNotIn("1970", page.text)
        r = b.post("/admin/events/new", {"csrf_token": b.csrf(page), "title": "", "starts_at": "", "ends_at": ""})
        self.assertEqual(r.status, 422)
        self.assertNotIn("1970", r.text)
        self.assertRegex(r.text, r'<input id="starts_at"[^>]*value=""')

    # ---- 5. availability ----

    def test_availability_in_the_json_and_on_the_pages(self):
        eid, slug = self.event["id"], self.event["slug"]
        av = self.s.request("GET", f"/api/v1/events/{eid}").json()["availability"]
        self.assertEqual(av, {"capacity": 2, "confirmed": 0, "seats_left": 2, "state": "open"})
        self.assertIn("Остават 2 места", self.s.request("GET", f"/events/{slug}").text)
        self.register(person(1))
        self.assertIn("Остава 1 място", self.s.request("GET", f"/events/{slug}/register").text)
        self.register(person(2))
        av = self.s.request("GET", f"/api/v1/events/{eid}").json()["availability"]
        self.assertEqual(av, {"capacity": 2, "confirmed": 2, "seats_left": 0, "state": "waitlist"})
        self.assertIn("Само списък на чакащите", self.s.request("GET", f"/events/{slug}").text)
        self.assertIn("Само списък на чакащите", self.s.request("GET", f"/events/{slug}/register").text)
        # Full without a waiting list: said before anything is typed, and no form to fill in.
        self.api("PATCH", f"/api/v1/events/{eid}", {"waitlist": False})
        av = self.s.request("GET", f"/api/v1/events/{eid}").json()["availability"]
        self.assertEqual(av["state"], "full")
        page = self.s.request("GET", f"/events/{slug}")
        self.assertIn("Местата са заети", page.text)
        self.assertNotIn(f'href="/events/{slug}/register"', page.text)
        form = self.s.request("GET", f"/events/{slug}/register")
        self.assertIn("Местата са заети", form.text)
        self.assertNotIn('name="email"', form.text)
        # Unlimited: null capacity and seats.
        free = self.create_event(dict(EVENT, title="Без ограничение", capacity=0))
        av = self.s.request("GET", f"/api/v1/events/{free['id']}").json()["availability"]
        self.assertEqual(av, {"capacity": None, "confirmed": 0, "seats_left": None, "state": "open"})
        # Not open yet, and closed after the deadline.
        later = self.create_event(dict(EVENT, title="По-късно", registration_opens_at="2031-01-10T09:00:00+02:00"))
        self.assertEqual(self.s.request("GET", f"/api/v1/events/{later['id']}").json()["availability"]["state"],
                         "not_open")
        self.assertIn("Регистрацията започва на", self.s.request("GET", f"/events/{later['slug']}").text)
        closed = self.create_event(dict(EVENT, title="Затворена", registration_mode="closed"))
        self.assertEqual(self.s.request("GET", f"/api/v1/events/{closed['id']}").json()["availability"]["state"],
                         "closed")
        self.assertIn("Регистрацията е затворена", self.s.request("GET", f"/events/{closed['slug']}").text)
        listed = self.s.request("GET", "/api/v1/events").json()["items"]
        self.assertTrue(all("availability" in e for e in listed))


    # ---- 10. one registration on its own page ----

    def test_organiser_opens_one_registration_sees_answers_and_history_and_corrects_the_name(self):
        eid = self.event["id"]
        r = self.api("PUT", f"/api/v1/events/{eid}/registration-form", {
            "questions": [{"label": "Обяд", "type": "yesno"},
                          {"label": "Хранене", "type": "choice", "options": ["Обичайно", "Вегетарианско"]}]})
        self.assertEqual(r.status, 200, r.text)
        keys = [q["key"] for q in r.json()["questions"]]
        reg = self.register(person(1, name="Иван Петорв", answers={keys[0]: True, keys[1]: "Вегетарианско"})).json()
        self.sink.wait_for(1)
        self.api("PATCH", f"/api/v1/registrations/{reg['id']}", {"checked_in": True})
        b = self.organiser()
        listing = b.get(f"/admin/events/{eid}/registrations")
        self.assertIn(f'href="/admin/registrations/{reg["id"]}"', listing.text)
        page = b.get(f"/admin/registrations/{reg['id']}")
        self.assertEqual(page.status, 200)
        self.assertEqual(page.header("Cache-Control"), "no-store")
        for text in ("Иван Петорв", "p1@example.bg", "Обяд", "Да", "Вегетарианско", "Писмо: потвърждение",
                     "Промяна през API"):
            self.assertIn(text, page.text, text)
        self.assertNotIn("1970", page.text)
        # A correction that does not validate comes back in the page, nothing changed.
        r = b.post(f"/admin/registrations/{reg['id']}/edit", {"csrf_token": b.csrf(page), "name": ""})
        self.assertEqual(r.status, 422)
        self.assertIn("field-error", r.text)
        self.assertEqual(self.s.sql("SELECT name FROM registrations WHERE id = ?", reg["id"])[0][0], "Иван Петорв")
        r = b.post(f"/admin/registrations/{reg['id']}/edit", {"csrf_token": b.csrf(page), "name": "Иван\x01"})
        self.assertEqual(r.status, 422)
        r = b.post(f"/admin/registrations/{reg['id']}/edit",
                   {"csrf_token": b.csrf(page), "name": "Иван Петров", "organisation": "Община Габрово",
                    "position": "Главен експерт", keys[0]: "no", keys[1]: "Обичайно"})
        self.assertEqual(r.status, 303)
        page = b.get(r.header("Location"))
        self.assertIn("Данните са запазени", page.text)
        self.assertIn("Данните са поправени", page.text)
        self.assertEqual(self.s.sql("SELECT name FROM registrations WHERE id = ?", reg["id"])[0][0], "Иван Петров")
        got = self.api("GET", f"/api/v1/events/{eid}/registrations").json()["items"][0]
        self.assertEqual(got["answers"], {keys[0]: False, keys[1]: "Обичайно"})
        # The same through the API.
        r = self.api("PATCH", f"/api/v1/registrations/{reg['id']}", {"name": "Иван Г. Петров", "town": "Габрово"})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["name"], "Иван Г. Петров")
        # Without CSRF, signed out, or someone else's: nothing.
        self.assertEqual(b.post(f"/admin/registrations/{reg['id']}/edit", {"name": "X"}).status, 403)
        self.assertEqual(self.s.request("GET", f"/admin/registrations/{reg['id']}").status, 303)
        self.s.cli("user", "add", "--email", "other@example.bg", "--name", "Друг", stdin="password-123\n")
        other = Browser(self.s, lang="bg")
        other.login("other@example.bg", "password-123")
        self.assertIn(other.get(f"/admin/registrations/{reg['id']}").status, (403, 404))
        self.assertEqual(b.get("/admin/registrations/999999").status, 404)
        self.assertEqual(self.s.sql("SELECT name FROM registrations WHERE id = ?", reg["id"])[0][0], "Иван Г. Петров")


    # ---- 11. a refused action answers inside the page; every action says what it did ----

    def test_list_actions_say_what_they_did_or_why_not_inside_the_page(self):
        self.register(person(1))
        self.register(person(2))
        waiting = self.register(person(3)).json()
        first = self.s.sql("SELECT id FROM registrations WHERE email = 'p1@example.bg'")[0][0]
        b = self.organiser()
        back = f"/admin/events/{self.event['id']}/registrations?status=waitlisted"
        page = b.get(back)
        r = b.post(f"/admin/registrations/{waiting['id']}",
                   {"csrf_token": b.csrf(page), "action": "approve", "back": back})
        self.assertEqual(r.status, 303)  # full: back to the list with the reason, not an error page
        shown = b.get(r.header("Location"))
        self.assertEqual(shown.status, 200)
        self.assertIn("Няма свободни места.", shown.text)
        self.assertIn("status=waitlisted", r.header("Location"))
        self.assertEqual(self.s.sql("SELECT status FROM registrations WHERE id = ?", waiting["id"])[0][0], "waitlisted")
        r = b.post(f"/admin/registrations/{first}", {"csrf_token": b.csrf(page), "action": "cancel", "back": back,
                                                     "confirm": "1"})
        self.assertIn("Регистрацията е отменена", b.get(r.header("Location")).text)
        # A value from the address is shown only when it is one of sabor's own.
        self.assertNotIn("<script>", b.get(back + "&refused=<script>&did=<b>").text)


    def test_a_refused_save_on_the_personal_page_comes_back_in_the_page(self):
        path = self.register(person(1)).json()["manage_url"].replace("http://127.0.0.1:8080", "")
        b = Browser(self.s, lang="bg")
        page = b.get(path)
        r = b.post(path, {"csrf_token": b.csrf(page), "action": "save", "name": "", "organisation": "Нова организация"})
        self.assertEqual(r.status, 422)
        self.assertIn("field-error", r.text)
        self.assertIn('value="Нова организация"', r.text)  # what was typed stays
        self.assertIn('name="csrf_token"', r.text)  # and the form is there to try again
        self.assertEqual(self.s.sql("SELECT name, organisation FROM registrations")[0], ("Участник 1", "Община Габрово"))


if __name__ == "__main__":
    unittest.main()
