"""Issue 11, point 11: destructive actions in the organisers' pages ask first and say what
goes with them; refused actions answer inside the page; every action says what it did."""
import re
import unittest

from harness import Browser, EventMailTestCase

EVENT = {
    "title": "Семинар „Чиста вода“",
    "kind": "seminar",
    "starts_at": "2031-06-10T10:00:00+03:00",
    "ends_at": "2031-06-10T16:00:00+03:00",
    "venue": "Зала 1",
    "city": "Ловеч",
    "capacity": 1,
    "registration_mode": "open",
    "organisers": ["Община Ловеч"],
}


def person(i, **kw):
    p = {"name": f"Участник {i}", "email": f"p{i}@example.bg", "organisation": "Община Ловеч", "consent": True}
    p.update(kw)
    return p


class ConfirmTest(EventMailTestCase):
    organiser_email = "org@lovech.bg"
    mail_from = "Събор <events@lovech.bg>"
    event_fields = EVENT

    def organiser(self):
        b = Browser(self.s, lang="bg")
        b.login("org@lovech.bg", "password-123")
        return b

    def count(self, table, where="1", *params):
        return self.s.sql(f"SELECT COUNT(*) FROM {table} WHERE {where}", *params)[0][0]

    def programme(self, ev):
        eid = ev["id"]
        sp = self.api("POST", f"/api/v1/events/{eid}/speakers", {"name": "Мария Петрова"}).json()["id"]
        chair = self.api("POST", f"/api/v1/events/{eid}/speakers", {"name": "Иван Колев"}).json()["id"]
        s1 = self.api("POST", f"/api/v1/events/{eid}/sessions",
                      {"title": "Откриване", "starts_at": "2031-06-10T10:00:00+03:00",
                       "ends_at": "2031-06-10T11:00:00+03:00", "chair_id": chair}).json()["id"]
        s2 = self.api("POST", f"/api/v1/events/{eid}/sessions",
                      {"title": "Кафе", "kind": "break", "starts_at": "2031-06-10T11:00:00+03:00",
                       "ends_at": "2031-06-10T11:30:00+03:00"}).json()["id"]
        t1 = self.api("POST", f"/api/v1/events/{eid}/talks",
                      {"session_id": s1, "title": "Водата в общината", "speaker_ids": [sp]}).json()["id"]
        t2 = self.api("POST", f"/api/v1/events/{eid}/talks", {"session_id": s1, "title": "Пречиствателни станции"}).json()["id"]
        return {"speaker": sp, "chair": chair, "session": s1, "empty_session": s2, "talk": t1, "talk2": t2}

    # ---- deleting a draft asks first ----

    def test_deleting_a_draft_asks_first_and_says_what_goes(self):
        draft = self.create_event(dict(EVENT, title="Чернова „Вода“"), publish=False)
        self.programme(draft)
        b = self.organiser()
        page = b.get(f"/admin/events/{draft['id']}")
        self.assertIn(f'action="/admin/events/{draft["id"]}/delete"', page.text)
        r = b.post(f"/admin/events/{draft['id']}/delete", {"csrf_token": b.csrf(page)})
        self.assertEqual(r.status, 200)  # the question, nothing deleted
        self.assertIn("Да се изтрие ли черновата?", r.text)
        self.assertIn("Чернова „Вода“", r.text)
        self.assertIn("сесии: 2, доклади: 2, лектори: 2", r.text)
        self.assertIn('name="confirm" value="1"', r.text)
        self.assertIn(f'href="/admin/events/{draft["id"]}"', r.text)  # the way back
        self.assertEqual(self.count("events", "id = ?", draft["id"]), 1)
        r = b.post(f"/admin/events/{draft['id']}/delete", {"csrf_token": b.csrf(page), "confirm": "1"})
        self.assertEqual((r.status, r.header("Location")), (303, "/admin?notice=deleted"))
        self.assertIn("Черновата е изтрита.", b.get("/admin?notice=deleted").text)
        self.assertEqual(self.count("events", "id = ?", draft["id"]), 0)
        self.assertEqual(self.count("talks", "event_id = ?", draft["id"]), 0)

    def test_deleting_a_published_event_is_refused_inside_its_page(self):
        b = self.organiser()
        page = b.get(f"/admin/events/{self.event['id']}")
        r = b.post(f"/admin/events/{self.event['id']}/delete", {"csrf_token": b.csrf(page), "confirm": "1"})
        self.assertEqual(r.status, 303)
        shown = b.get(r.header("Location"))
        self.assertEqual(shown.status, 200)
        self.assertIn("Само черновите могат да се изтриват", shown.text)
        self.assertEqual(self.count("events", "id = ?", self.event["id"]), 1)
        self.assertNotIn("<b>", b.get(f"/admin/events/{self.event['id']}?refused=<b>").text)

    # ---- cancelling a registration from the attendee list asks first ----

    def test_cancelling_a_registration_asks_first_saying_who_is_told_and_where_the_seat_goes(self):
        first = self.register(person(1)).json()
        waiting = self.register(person(2)).json()
        self.assertEqual((first["status"], waiting["status"]), ("confirmed", "waitlisted"))
        self.sink.wait_for(2)
        b = self.organiser()
        back = f"/admin/events/{self.event['id']}/registrations?status=confirmed"
        page = b.get(back)
        r = b.post(f"/admin/registrations/{first['id']}", {"csrf_token": b.csrf(page), "action": "cancel", "back": back})
        self.assertEqual(r.status, 200)
        self.assertIn("Да се отмени ли регистрацията?", r.text)
        self.assertIn("Участник 1 (p1@example.bg)", r.text)
        self.assertIn("ще получи писмо на p1@example.bg", r.text)
        self.assertIn("първия в списъка на чакащите (Участник 2)", r.text)
        self.assertIn('name="back" value="/admin/events/%d/registrations?status=confirmed"' % self.event["id"], r.text)
        self.assertEqual(self.s.sql("SELECT status FROM registrations WHERE id = ?", first["id"])[0][0], "confirmed")
        self.assertEqual(len(self.sink.wait_for(2)), 2)  # nobody told yet
        r = b.post(f"/admin/registrations/{first['id']}",
                   {"csrf_token": b.csrf(page), "action": "cancel", "back": back, "confirm": "1"})
        self.assertEqual(r.status, 303)
        self.assertIn("Регистрацията е отменена", b.get(r.header("Location")).text)
        self.assertEqual(dict(self.s.sql("SELECT email, status FROM registrations")),
                         {"p1@example.bg": "cancelled", "p2@example.bg": "confirmed"})
        self.assertEqual(len(self.sink.wait_for(4)), 4)  # cancelled and promoted

    def test_bulk_cancel_asks_first_and_an_empty_tick_says_so(self):
        a = self.register(person(1)).json()
        w = self.register(person(2)).json()
        b = self.organiser()
        path = f"/admin/events/{self.event['id']}/registrations"
        token = b.csrf(b.get(path))
        r = b.post(path + "/bulk", [("csrf_token", token), ("bulk_action", "cancel"), ("back", path),
                                    ("ids", a["id"]), ("ids", w["id"])])
        self.assertEqual(r.status, 200)
        self.assertIn("Да се отменят ли отметнатите регистрации?", r.text)
        self.assertIn("Отметнати: 2.", r.text)
        self.assertEqual(len(re.findall(r'name="ids" value="\d+"', r.text)), 2)
        self.assertEqual(self.count("registrations", "status = 'cancelled'"), 0)
        r = b.post(path + "/bulk", [("csrf_token", token), ("bulk_action", "cancel"), ("back", path), ("confirm", "1"),
                                    ("ids", a["id"]), ("ids", w["id"])])
        self.assertEqual(r.status, 303)
        self.assertEqual(self.count("registrations", "status = 'cancelled'"), 2)
        r = b.post(path + "/bulk", [("csrf_token", token), ("bulk_action", "check_in"), ("back", path)])
        self.assertIn("Не е отметнат нито един ред", b.get(r.header("Location")).text)

    # ---- deleting a session with talks, or a speaker on talks, asks first ----

    def test_deleting_a_session_with_talks_asks_first_and_an_empty_one_goes_at_once(self):
        p = self.programme(self.event)
        b = self.organiser()
        base = f"/admin/events/{self.event['id']}/programme"
        token = b.csrf(b.get(base))
        r = b.post(base + f"/sessions/{p['session']}/delete", {"csrf_token": token})
        self.assertEqual(r.status, 200)
        self.assertIn("Да се изтрие ли сесията с докладите ѝ?", r.text)
        self.assertIn("докладите ѝ (2): „Водата в общината“; „Пречиствателни станции“", r.text)
        self.assertIn(f'href="{base}"', r.text)
        self.assertEqual(self.count("talks", "session_id = ?", p["session"]), 2)
        r = b.post(base + f"/sessions/{p['session']}/delete", {"csrf_token": token, "confirm": "1"})
        self.assertEqual(r.status, 303)
        self.assertIn("Сесията е изтрита заедно с докладите ѝ: 2.", b.get(r.header("Location")).text)
        self.assertEqual(self.count("talks", "event_id = ?", self.event["id"]), 0)
        # Without talks there is nothing more to lose: deleted at once, and said.
        r = b.post(base + f"/sessions/{p['empty_session']}/delete", {"csrf_token": token})
        self.assertEqual(r.status, 303)
        self.assertIn("Сесията е изтрита заедно с докладите ѝ: 0.", b.get(r.header("Location")).text)
        # Gone already: the programme says so, no bare error page.
        r = b.post(base + f"/sessions/{p['empty_session']}/delete", {"csrf_token": token})
        self.assertEqual(r.status, 303)
        self.assertIn("Това вече го няма в програмата", b.get(r.header("Location")).text)

    def test_deleting_a_speaker_on_talks_asks_first_a_talk_goes_at_once(self):
        p = self.programme(self.event)
        b = self.organiser()
        base = f"/admin/events/{self.event['id']}/programme"
        token = b.csrf(b.get(base))
        r = b.post(base + f"/speakers/{p['chair']}/delete", {"csrf_token": token})
        self.assertEqual(r.status, 200)
        self.assertIn("Сесиите, които води (1), остават без водещ: „Откриване“", r.text)
        r = b.post(base + f"/speakers/{p['speaker']}/delete", {"csrf_token": token})
        self.assertIn("Лекторът се маха от докладите си (1): „Водата в общината“", r.text)
        self.assertEqual(self.count("speakers", "event_id = ?", self.event["id"]), 2)
        r = b.post(base + f"/speakers/{p['speaker']}/delete", {"csrf_token": token, "confirm": "1"})
        self.assertIn("Лекторът е изтрит.", b.get(r.header("Location")).text)
        self.assertEqual(self.count("talks", "event_id = ?", self.event["id"]), 2)  # the talks stay
        r = b.post(base + f"/talks/{p['talk']}/delete", {"csrf_token": token})
        self.assertEqual(r.status, 303)
        self.assertIn("Докладът е изтрит.", b.get(r.header("Location")).text)

    def test_a_talk_gone_in_another_tab_answers_inside_the_programme(self):
        p = self.programme(self.event)
        b = self.organiser()
        base = f"/admin/events/{self.event['id']}/programme"
        form = b.get(base + f"/talks/{p['talk2']}")
        token = b.csrf(form)
        self.api("DELETE", f"/api/v1/talks/{p['talk2']}")
        for r in (b.post(base + f"/talks/{p['talk2']}", {"csrf_token": token, "session_id": str(p["session"]), "title": "Ново"}),
                  b.post(base + f"/talks/{p['talk2']}/move", {"csrf_token": token, "direction": "up"})):
            self.assertEqual((r.status, r.header("Location")), (303, base + "?notice=gone"))
            shown = b.get(r.header("Location"))
            self.assertIn("Това вече го няма в програмата", shown.text)
        self.assertEqual(self.count("talks", "title = 'Ново'"), 0)

    # ---- every action says what it did; a refusal answers inside the page ----

    def test_contact_and_invitation_actions_say_what_they_did(self):
        c = self.api("POST", "/api/v1/contacts", {"name": "Петя Стоянова", "email": "petya@lovech.bg",
                                                  "tags": ["кметове"]}).json()
        b = self.organiser()
        page = b.get(f"/admin/contacts/{c['id']}")
        r = b.post(f"/admin/contacts/{c['id']}", {"csrf_token": b.csrf(page), "name": "Петя Стоянова-Иванова",
                                                   "email": "petya@lovech.bg", "tags": "кметове"})
        self.assertEqual(r.status, 303)
        self.assertIn("Контактът е запазен.", b.get(r.header("Location")).text)
        # Only numbers from the address are shown, never its text.
        self.assertNotIn("HACKED", b.get("/admin/contacts?done=HACKED").text)
        self.assertNotIn("HACKED", b.get("/admin/contacts?created=HACKED&updated=1").text)
        inv = f"/admin/events/{self.event['id']}/invitations"
        self.assertNotIn("HACKED", b.get(inv + "?invited=HACKED&skipped=0").text)
        # A scheduled invitation called off from the page: said; a second press: the reason, in the page.
        send_at = "2031-01-01T09:00:00+00:00"
        camp = self.api("POST", f"/api/v1/events/{self.event['id']}/invitations",
                        {"tag": "кметове", "subject": "Покана", "body": "Здравейте, {{name}}!", "send_at": send_at}).json()
        token = b.csrf(b.get(inv))
        r = b.post(inv + "/cancel", {"csrf_token": token, "campaign_id": camp["id"]})
        self.assertEqual((r.status, r.header("Location")), (303, inv + "?campaign_cancelled=1"))
        self.assertIn("Насрочената покана е отменена", b.get(r.header("Location")).text)
        r = b.post(inv + "/cancel", {"csrf_token": token, "campaign_id": camp["id"]})
        self.assertEqual(r.status, 303)
        shown = b.get(r.header("Location"))
        self.assertEqual(shown.status, 200)
        self.assertIn("Поканата вече е изпратена или отменена.", shown.text)
        # Deleting a contact asks first; the first press changes nothing.
        r = b.post(f"/admin/contacts/{c['id']}", {"csrf_token": token, "action": "delete"})
        self.assertEqual(r.status, 200)
        self.assertIn("Да се изтрие ли контактът?", r.text)
        self.assertIn("petya@lovech.bg", r.text)
        self.assertEqual(self.api("GET", f"/api/v1/contacts/{c['id']}").status, 200)
        r = b.post(f"/admin/contacts/{c['id']}", {"csrf_token": token, "action": "delete", "confirm": "1"})
        self.assertIn("Контактът е изтрит.", b.get(r.header("Location")).text)
        self.assertEqual(self.api("GET", f"/api/v1/contacts/{c['id']}").status, 404)

    def test_deleting_ticked_contacts_asks_first(self):
        ids = [self.api("POST", "/api/v1/contacts", {"name": f"Човек {i}", "email": f"c{i}@lovech.bg"}).json()["id"]
               for i in range(3)]
        b = self.organiser()
        token = b.csrf(b.get("/admin/contacts"))
        fields = [("csrf_token", token), ("bulk_action", "delete")] + [("ids", str(i)) for i in ids[:2]]
        r = b.post("/admin/contacts/bulk", fields)
        self.assertEqual(r.status, 200)
        self.assertIn("Да се изтрият ли отметнатите контакти?", r.text)
        self.assertIn("Да, изтрий контактите (2)", r.text)
        self.assertEqual(self.api("GET", "/api/v1/contacts").json()["total"], 3)
        r = b.post("/admin/contacts/bulk", fields + [("confirm", "1")])
        self.assertEqual(r.status, 303)
        self.assertEqual(self.api("GET", "/api/v1/contacts").json()["total"], 1)


if __name__ == "__main__":
    unittest.main()
