"""The organisers' side of registration: the attendee list and its actions, exports, the desk, the sign-in sheet, the public list."""
import concurrent.futures
import glob
import re
import time
import unittest

from harness import Server, Browser, EventMailTestCase, add_organiser
from smtp_sink import Sink

from registration_data import EVENT, person


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


if __name__ == "__main__":
    unittest.main()
