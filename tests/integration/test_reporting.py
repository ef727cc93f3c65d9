"""Reporting (issue 11, #14 and #15): statistics that count confirmed, waitlisted, cancelled and
attended apart and tally the choice and yes/no questions; exports in the event's time zone,
with the separator Excel expects and phone numbers left alone; the sign-in sheet of a
multi-day event (a signature column a day or a sheet a day, the contact column, the event's
language)."""
import csv
import io
import re
import unittest
import zipfile

from harness import Server, Browser

EVENT = {"title": "Обучение „Общински проекти“", "kind": "training", "starts_at": "2031-10-06T09:00:00+03:00",
         "ends_at": "2031-10-08T17:00:00+03:00", "timezone": "Europe/Sofia", "venue": "Доходно здание", "city": "Русе",
         "capacity": 3, "registration_mode": "open", "organisers": ["Община Русе"],
         "funding_programme": "Програма „Развитие на човешките ресурси“",
         "funding_statement": "Проектът се осъществява с финансовата подкрепа на ЕСФ+."}

FORM = {"questions": [
    {"label": "Ще присъствате ли на обяда?", "type": "yesno", "required": True},
    {"label": "Хранене", "type": "choice", "options": ["Без ограничения", "Вегетарианско", "Веганско"]},
    {"label": "Теми", "type": "choices", "options": ["Финансиране", "Партньорства"]},
    {"label": "Бележка", "type": "text"},
]}


class ReportingBase(unittest.TestCase):
    def setUp(self):
        self.s = Server(env={"SABOR_MAIL_SMTP_URL": "", "SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "0"})
        self.s.cli("user", "add", "--email", "org@ruse.bg", "--name", "Организатор", stdin="password-123\n")
        self.token = self.s.cli("token", "create", "--email", "org@ruse.bg").stdout.strip()
        self.ev = self.api("POST", "/api/v1/events", EVENT).json()
        self.api("PUT", f"/api/v1/events/{self.ev['id']}/registration-form", FORM)
        self.api("POST", f"/api/v1/events/{self.ev['id']}/publish")
        self.b = Browser(self.s)
        self.b.login("org@ruse.bg", "password-123")

    def tearDown(self):
        self.s.close()

    def api(self, method, path, body=None, headers=None):
        h = {"Authorization": "Bearer " + self.token}
        h.update(headers or {})
        return self.s.request(method, path, body=body, headers=h)

    def register(self, name, email, answers, **kw):
        body = {"name": name, "email": email, "organisation": "Община Русе", "consent": True, "answers": answers}
        body.update(kw)
        r = self.s.request("POST", f"/api/v1/events/{self.ev['id']}/registrations", body=body)
        self.assertEqual(r.status, 201, r.text)
        return self.s.sql("SELECT id FROM registrations WHERE email = ?", email)[0][0]


class StatisticsTest(ReportingBase):
    def setUp(self):
        super().setUp()
        self.ids = [
            self.register("Ася Асенова", "a@example.bg", {"q1": True, "q2": "Вегетарианско", "q3": ["Финансиране", "Партньорства"]},
                          organisation_type="municipality", town="Русе"),
            self.register("Борис Борисов", "b@example.bg", {"q1": False, "q2": "Без ограничения"},
                          organisation_type="ngo", town="Русе"),
            self.register("Вера Венкова", "v@example.bg", {"q1": True, "q2": "Вегетарианско", "q3": ["Финансиране"]},
                          organisation_type="municipality", town="Габрово"),
            # Beyond the three seats: the waiting list. Their answers are not counted.
            self.register("Галя Гочева", "g@example.bg", {"q1": True, "q2": "Веганско"}, organisation_type="municipality",
                          town="Русе"),
            self.register("Дора Дочева", "d@example.bg", {"q1": True, "q2": "Веганско"}, town="Русе"),
        ]
        self.assertEqual(self.api("PATCH", f"/api/v1/registrations/{self.ids[4]}", {"status": "cancelled"}).status, 200)
        self.assertEqual(self.api("PATCH", f"/api/v1/registrations/{self.ids[0]}", {"checked_in": True}).status, 200)

    def test_statistics_count_each_state_apart_and_tally_the_questions(self):
        st = self.api("GET", f"/api/v1/events/{self.ev['id']}/statistics").json()
        self.assertEqual((st["confirmed"], st["waitlisted"], st["pending"], st["cancelled"], st["attended"]), (3, 1, 0, 1, 1))
        self.assertEqual(st["registered"], 3)  # the waiting list is not "registered"
        types = {g["value"]: (g["registered"], g["waitlisted"], g["checked_in"]) for g in st["by_organisation_type"]}
        self.assertEqual(types, {"municipality": (2, 1, 1), "ngo": (1, 0, 0)})
        self.assertEqual({g["value"]: g["registered"] for g in st["by_town"]}, {"Русе": 2, "Габрово": 1})
        q = {t["key"]: t for t in st["questions"]}
        self.assertEqual(sorted(q), ["q1", "q2", "q3"])  # the text question is not tallied
        self.assertEqual([(o["value"], o["label"], o["count"]) for o in q["q1"]["options"]],
                         [("yes", "Да", 2), ("no", "Не", 1)])
        self.assertEqual(q["q1"]["label"], "Ще присъствате ли на обяда?")
        self.assertEqual({o["value"]: o["count"] for o in q["q2"]["options"]},
                         {"Без ограничения": 1, "Вегетарианско": 2, "Веганско": 0})
        self.assertEqual({o["value"]: o["count"] for o in q["q3"]["options"]}, {"Финансиране": 2, "Партньорства": 1})
        self.assertEqual((q["q3"]["answered"], q["q3"]["unanswered"]), (2, 1))
        en = self.api("GET", f"/api/v1/events/{self.ev['id']}/statistics", headers={"Accept-Language": "en"}).json()
        self.assertEqual([o["label"] for o in en["questions"][0]["options"]], ["Yes", "No"])

    def test_the_page_shows_the_same_figures(self):
        page = self.b.get(f"/admin/events/{self.ev['id']}/registrations").text
        facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)", page))
        self.assertEqual(facts, {"Потвърдени": "3", "Чакащи": "1", "Чакат одобрение": "0", "Анулирани": "1",
                                 "Присъствали": "1"})
        self.assertIn("<td>Община</td><td>2</td><td>1</td><td>1</td>", page)
        self.assertIn("Отговори на въпросите", page)
        lunch = re.search(r'<table class="data-table tally" data-question="q1">(.*?)</table>', page, re.S).group(1)
        self.assertIn("<caption>Ще присъствате ли на обяда?</caption>", lunch)
        self.assertIn("<td>Да</td><td>2</td>", lunch)
        self.assertIn("<td>Не</td><td>1</td>", lunch)
        diet = re.search(r'data-question="q2">(.*?)</table>', page, re.S).group(1)
        self.assertIn("<td>Вегетарианско</td><td>2</td>", diet)
        self.assertIn("<td>Веганско</td><td>0</td>", diet)
        self.assertNotIn('data-question="q4"', page)


class ExportTest(ReportingBase):
    def setUp(self):
        super().setUp()
        self.register("Ася Асенова", "a@example.bg", {"q1": True}, phone="+359 888 123 456",
                      organisation="=HYPERLINK(\"http://evil\")", position="-2+3")
        self.register("Борис Борисов", "b@example.bg", {"q1": False}, phone="0888 123 456", organisation="@SUM(1;2)",
                      position="+cmd|' /C calc'!A0")
        # Winter and summer: Sofia is UTC+2 in January, UTC+3 in July.
        self.s.sql("UPDATE registrations SET created_at = '2031-01-15T10:00:00.000Z' WHERE email = 'a@example.bg'")
        self.s.sql("UPDATE registrations SET created_at = '2031-07-15T10:00:00.000Z', "
                   "checked_in_at = '2031-10-06T06:30:00.000Z' WHERE email = 'b@example.bg'")

    def rows(self, r, sep):
        self.assertEqual(r.status, 200, r.text)
        self.assertTrue(r.body.startswith(b"\xef\xbb\xbf"))
        return list(csv.reader(io.StringIO(r.body.decode("utf-8-sig")), delimiter=sep))

    def test_separator_follows_the_language_and_sep(self):
        path = f"/admin/events/{self.ev['id']}/registrations.csv"
        bg = self.rows(self.b.get(path), ";")
        self.assertEqual(bg[0][:3], ["№", "Име и фамилия", "Електронна поща"])
        self.assertEqual(len(bg[0]), len(bg[1]))
        self.assertTrue(self.b.get(path).text.lstrip("\ufeff").startswith("№;Име и фамилия;"))
        en = self.api("GET", f"/api/v1/events/{self.ev['id']}/registrations.csv", headers={"Accept-Language": "en"})
        self.assertTrue(en.text.lstrip("\ufeff").startswith("No.,Full name,"), en.text[:80])
        self.assertEqual(self.rows(en, ",")[1][1], "Ася Асенова")
        comma = self.b.get(path + "?sep=%2C")
        self.assertTrue(comma.text.lstrip("\ufeff").startswith("№,Име и фамилия,"))
        semi = self.api("GET", f"/api/v1/events/{self.ev['id']}/registrations.csv?sep=;", headers={"Accept-Language": "en"})
        self.assertEqual(self.rows(semi, ";")[1][1], "Ася Асенова")
        bad = self.api("GET", f"/api/v1/events/{self.ev['id']}/registrations.csv?sep=x")
        self.assertEqual(bad.status, 400)
        self.assertEqual(bad.json()["error"]["code"], "bad_separator")
        self.assertIn("Разделителят", bad.json()["error"]["message"])

    def test_phones_stay_as_they_are_and_formulas_are_neutralised(self):
        rows = self.rows(self.b.get(f"/admin/events/{self.ev['id']}/registrations.csv"), ";")
        cells = {r[1]: dict(zip(rows[0], r)) for r in rows[1:]}
        self.assertEqual(cells["Ася Асенова"]["Телефон"], "+359 888 123 456")
        self.assertEqual(cells["Борис Борисов"]["Телефон"], "0888 123 456")
        self.assertEqual(cells["Ася Асенова"]["Организация"], "'=HYPERLINK(\"http://evil\")")
        self.assertEqual(cells["Ася Асенова"]["Длъжност"], "'-2+3")
        self.assertEqual(cells["Борис Борисов"]["Организация"], "'@SUM(1;2)")
        self.assertEqual(cells["Борис Борисов"]["Длъжност"], "'+cmd|' /C calc'!A0")

    def test_times_are_in_the_events_time_zone(self):
        rows = self.rows(self.b.get(f"/admin/events/{self.ev['id']}/registrations.csv"), ";")
        cells = {r[1]: dict(zip(rows[0], r)) for r in rows[1:]}
        self.assertEqual(cells["Ася Асенова"]["Регистриран на"], "2031-01-15 12:00")
        self.assertEqual(cells["Борис Борисов"]["Регистриран на"], "2031-07-15 13:00")
        self.assertEqual(cells["Борис Борисов"]["Присъствал от"], "2031-10-06 09:30")
        self.assertEqual(cells["Ася Асенова"]["Присъствал от"], "")
        book = zipfile.ZipFile(io.BytesIO(self.b.get(f"/admin/events/{self.ev['id']}/registrations.xlsx").body))
        strings = book.read("xl/sharedStrings.xml").decode("utf-8")
        for text in ("2031-01-15 12:00", "2031-07-15 13:00", "2031-10-06 09:30", "+359 888 123 456"):
            self.assertIn(f"<t>{text}</t>", strings)
        self.assertNotIn("T10:00", strings)


class SigninSheetTest(ReportingBase):
    def setUp(self):
        super().setUp()
        self.register("Ася Асенова", "asya@example.bg", {"q1": True}, phone="+359 888 123 456", position="експерт")
        self.register("Борис Борисов", "boris@example.bg", {"q1": True})
        self.path = f"/admin/events/{self.ev['id']}/signin-sheet"

    def sig_headers(self, text):
        return re.findall(r'<th class="sig">(.*?)</th>', text)

    def test_one_signature_column_a_day(self):
        t = self.b.get(self.path + "?blank=2").text
        self.assertEqual(self.sig_headers(t), ['Подпис<span class="sig-day">06.10.2031</span>',
                                               'Подпис<span class="sig-day">07.10.2031</span>',
                                               'Подпис<span class="sig-day">08.10.2031</span>'])
        rows = re.findall(r"<tr><td class=\"n\">\d+</td>.*?</tr>", t)
        self.assertEqual(len(rows), 2 + 2)
        self.assertTrue(all(r.count('<td class="sig"></td>') == 3 for r in rows))
        self.assertEqual(t.count('<section class="sheet'), 1)
        self.assertIn('class="signin-sheet sheet-wide"', t)  # three signature columns: landscape
        # The funding block sits in the table's header, which the browser repeats on every printed page.
        thead = re.search(r"<thead>(.*?)</thead>", t, re.S).group(1)
        self.assertIn("Проектът се осъществява с финансовата подкрепа на ЕСФ+.", thead)
        self.assertIn("Програма „Развитие на човешките ресурси“", thead)
        self.assertIn("Изготвил:", t)
        self.assertNotIn("asya@example.bg", t)  # no contact column unless asked for
        self.assertNotIn('class="contact"', t)

    def test_a_sheet_a_day(self):
        t = self.b.get(self.path + "?per_day=1&blank=0").text
        self.assertEqual(t.count('<section class="sheet'), 3)
        self.assertEqual(t.count('<section class="sheet sheet-next">'), 2)  # each day starts a new page
        for n, day in ((1, "6 октомври 2031 г."), (2, "7 октомври 2031 г."), (3, "8 октомври 2031 г.")):
            self.assertIn(f'<span class="sheet-day">ден {n} от 3, {day}</span>', t)
        self.assertEqual(self.sig_headers(t), ["Подпис"] * 3)
        self.assertEqual(t.count("Ася Асенова"), 3)
        self.assertEqual(t.count("Проектът се осъществява с финансовата подкрепа на ЕСФ+."), 3)
        self.assertEqual(t.count("Изготвил:"), 3)
        self.assertNotIn("sheet-wide", t)  # one signature column fits portrait A4

    def test_the_contact_column_is_the_organisers_choice(self):
        t = self.b.get(self.path + "?contact=1&per_day=1").text
        self.assertIn('<th class="contact">Имейл / телефон</th>', t)
        self.assertIn('<td class="contact">asya@example.bg<br>+359 888 123 456</td>', t)
        self.assertIn('<td class="contact">boris@example.bg</td>', t)
        self.assertIn('name="contact" value="1" checked', t)

    def test_printed_in_the_events_language_not_the_browsers(self):
        en = Browser(self.s)
        en.login("org@ruse.bg", "password-123")
        t = en.get(self.path + "?lang=en").text  # the organiser reads English
        sheet = t[t.index('<div class="signin-sheet'):]
        self.assertIn('lang="bg"', sheet[:80])
        self.assertIn("Присъствен списък", sheet)
        self.assertIn("Подпис", sheet)
        self.assertIn("6 октомври 2031 г.", sheet)  # the event's dates, in Bulgarian
        self.assertIn("Изготвил:", sheet)
        self.assertNotIn("Signature", sheet)
        self.assertIn(">Show</button>", t)  # the controls stay in the organiser's language
        # An event written in English prints in English, even for a Bulgarian browser.
        ev = self.api("POST", "/api/v1/events", dict(EVENT, title="Danube Cities Forum")).json()
        t = self.b.get(f"/admin/events/{ev['id']}/signin-sheet").text
        sheet = t[t.index('<div class="signin-sheet'):]
        self.assertIn('lang="en"', sheet[:80])
        self.assertIn("Signature", sheet)
        self.assertIn("Prepared by:", sheet)
        self.assertIn("6 October 2031", sheet)
        self.assertNotIn("Подпис", sheet)
        self.assertIn(">Покажи</button>", t)
        # And the organiser may choose.
        t = self.b.get(self.path + "?print_lang=en").text
        self.assertIn("Signature", t[t.index('<div class="signin-sheet'):])

    def test_a_one_day_event_keeps_one_column(self):
        ev = self.api("POST", "/api/v1/events", dict(EVENT, starts_at="2031-10-06T09:00:00+03:00",
                                                      ends_at="2031-10-07T00:00:00+03:00")).json()
        t = self.b.get(f"/admin/events/{ev['id']}/signin-sheet").text
        self.assertEqual(self.sig_headers(t), ["Подпис"])
        self.assertNotIn('name="per_day"', t)
        self.assertNotIn("sheet-wide", t)


if __name__ == "__main__":
    unittest.main()
