"""Per-event registration forms: standard fields hidden or required, the organiser's own
questions, the privacy text; answers checked, kept, shown to the participant and exported."""
import csv
import io
import re
import unittest

from harness import Server, Browser

EVENT = {"title": "Форум „Дунав“", "kind": "forum", "starts_at": "2031-09-01T10:00:00+03:00",
         "ends_at": "2031-09-01T17:00:00+03:00", "city": "Русе", "capacity": 0, "registration_mode": "open"}

SETTINGS = {
    "fields": {"organisation": "required", "phone": "hidden", "town": "optional"},
    "questions": [
        {"label": "Ще присъствате ли на обяда?", "type": "yesno", "required": True},
        {"label": "Работна група", "type": "choice", "options": ["Води", "Транспорт", "Туризъм"], "required": True},
        {"label": "Теми, които Ви интересуват", "type": "choices", "options": ["Финансиране", "Партньорства"]},
        {"label": "Брой придружители", "type": "number"},
        {"label": "Дата на пристигане", "type": "date"},
        {"label": "Бележка", "type": "textarea"},
    ],
    "privacy_text": "Администратор на данните е Община Русе.\n\nДанните се пазят 5 години. <script>alert(1)</script>",
}


class FormSettingsTest(unittest.TestCase):
    def setUp(self):
        self.s = Server(env={"SABOR_MAIL_SMTP_URL": "", "SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "0"})
        self.s.cli("user", "add", "--email", "org@ruse.bg", "--name", "Организатор", stdin="password-123\n")
        self.token = self.s.cli("token", "create", "--email", "org@ruse.bg").stdout.strip()
        self.ev = self.api("POST", "/api/v1/events", EVENT).json()
        self.api("POST", f"/api/v1/events/{self.ev['id']}/publish")

    def tearDown(self):
        self.s.close()

    def api(self, method, path, body=None):
        return self.s.request(method, path, body=body, headers={"Authorization": "Bearer " + self.token})

    def put_settings(self, body):
        return self.api("PUT", f"/api/v1/events/{self.ev['id']}/registration-form", body)

    def register(self, **kw):
        body = {"name": "Мария Иванова", "email": "maria@example.bg", "organisation": "Община Русе", "consent": True}
        body.update(kw)
        return self.s.request("POST", f"/api/v1/events/{self.ev['id']}/registrations", body=body)

    def test_settings_are_checked_and_keys_stay_stable(self):
        r = self.put_settings(SETTINGS)
        self.assertEqual(r.status, 200, r.text)
        qs = r.json()["questions"]
        self.assertEqual([q["key"] for q in qs], ["q1", "q2", "q3", "q4", "q5", "q6"])
        self.assertEqual(r.json()["fields"]["phone"], "hidden")
        # Reordered and one removed: the keys travel with their questions; a new one gets q7.
        again = [qs[1], qs[0], {"label": "Нов въпрос", "type": "text"}]
        r = self.put_settings({"questions": again})
        self.assertEqual([q["key"] for q in r.json()["questions"]], ["q2", "q1", "q7"])
        before = self.api("GET", f"/api/v1/events/{self.ev['id']}/registration-form").json()
        for bad in ({"questions": [{"label": "Избор", "type": "choice", "options": []}]},
                    {"questions": [{"label": "", "type": "text"}]},
                    {"questions": [{"label": "Х", "type": "colour"}]},
                    {"questions": [{"label": "Х", "type": "text", "key": "q99"}]},  # a key never given out
                    {"fields": {"email": "hidden"}},
                    {"fields": {"phone": "sometimes"}},
                    {"privacy_text": "x" * 5001},
                    {"questions": [{"label": "Ред\r\nBcc: x", "type": "text"}]},
                    {"questions": [{"label": f"В{i}", "type": "text"} for i in range(31)]},
                    {"colour": "red"}):
            r = self.put_settings(bad)
            self.assertEqual(r.status, 422, bad)
            self.assertEqual(r.json()["error"]["code"], "validation")
        self.assertEqual(self.api("GET", f"/api/v1/events/{self.ev['id']}/registration-form").json(), before)
        self.assertEqual(self.s.request("PUT", f"/api/v1/events/{self.ev['id']}/registration-form", body=SETTINGS).status, 401)

    def test_answers_are_checked_kept_and_exported(self):
        self.put_settings(SETTINGS)
        r = self.register(answers={"q2": "Води"})
        self.assertEqual(r.status, 422)
        fields = r.json()["error"]["fields"]
        self.assertIn("q1", fields)  # a required yes/no left out
        self.assertEqual(self.register(organisation="", answers={"q1": True, "q2": "Води"}).status, 422)
        for bad in ({"q1": True, "q2": "Авиация"}, {"q1": "може би", "q2": "Води"}, {"q1": True, "q2": "Води", "q4": "много"},
                    {"q1": True, "q2": "Води", "q5": "2031-02-30"}, {"q1": True, "q2": "Води", "q3": ["Финансиране", "Друго"]},
                    {"q1": True, "q2": "Води", "q99": "x"}):
            r = self.register(answers=bad)
            self.assertEqual(r.status, 422, bad)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM registrations")[0][0], 0)
        r = self.register(phone="0888123456", answers={"q1": True, "q2": "Води", "q3": ["Партньорства", "Финансиране"],
                                                       "q4": "2,5", "q5": "2031-08-31", "q6": "Ред 1\nРед 2"})
        self.assertEqual(r.status, 201, r.text)
        reg = r.json()
        self.assertEqual(reg["phone"], "")  # a hidden field is not kept
        self.assertEqual(reg["answers"], {"q1": True, "q2": "Води", "q3": ["Финансиране", "Партньорства"], "q4": 2.5,
                                          "q5": "2031-08-31", "q6": "Ред 1\nРед 2"})
        csv_text = self.api("GET", f"/api/v1/events/{self.ev['id']}/registrations.csv").text.lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(csv_text), delimiter=";"))  # ';' for Bulgarian
        header = rows[0]
        self.assertIn("Ще присъствате ли на обяда?", header)
        row = dict(zip(header, rows[1]))
        self.assertEqual(row["Ще присъствате ли на обяда?"], "да")
        self.assertEqual(row["Теми, които Ви интересуват"], "Финансиране; Партньорства")
        self.assertEqual(row["Брой придружители"], "2.5")
        # The personal page shows the answers for correction.
        page = self.s.request("GET", reg["manage_url"].replace("http://127.0.0.1:8080", ""))
        self.assertIn('value="Води" checked', page.text)
        self.assertIn('value="yes" checked', page.text)

    def test_the_html_form_asks_the_questions_and_keeps_the_answers(self):
        self.put_settings(SETTINGS)
        slug = self.ev["slug"]
        b = Browser(self.s)
        form = b.get(f"/events/{slug}/register")
        self.assertIn("Работна група", form.text)
        self.assertNotIn('name="phone"', form.text)
        self.assertIn("Администратор на данните е Община Русе.", form.text)
        self.assertIn("&lt;script&gt;", form.text)
        self.assertNotIn("<script>alert", form.text)
        token = Browser.csrf(form)
        base = [("csrf_token", token), ("name", "Петър Петров"), ("email", "petar@example.bg"), ("consent", "1"),
                ("organisation", "НПО „Мост“"), ("q3", "Финансиране"), ("q3", "Партньорства")]
        r = b.post(f"/events/{slug}/register", base + [("q1", "yes")])
        self.assertEqual(r.status, 422)  # q2 missing
        self.assertIn('value="Финансиране" checked', r.text)
        self.assertIn('value="yes" checked', r.text)
        r = b.post(f"/events/{slug}/register", base + [("q1", "no"), ("q2", "Туризъм")])
        self.assertEqual(r.status, 201, r.text)
        answers = self.s.sql("SELECT answers FROM registrations WHERE email = 'petar@example.bg'")[0][0]
        self.assertIn('"q2":"Туризъм"', answers)
        self.assertIn('"q1":false', answers)

    def test_the_organisers_page_edits_the_form(self):
        b = Browser(self.s)
        b.login("org@ruse.bg", "password-123")
        path = f"/admin/events/{self.ev['id']}/form"
        page = b.get(path)
        self.assertEqual(page.status, 200)
        token = Browser.csrf(page)
        fields = [("csrf_token", token), ("mode_organisation", "required"), ("mode_phone", "hidden"),
                  ("privacy_text", "Администратор: Община Русе"),
                  ("q_position_1", "2"), ("q_label_1", "Работна група"), ("q_type_1", "choice"),
                  ("q_options_1", "Води\r\nТранспорт\r\n"), ("q_required_1", "1"),
                  ("q_position_2", "1"), ("q_label_2", "Обяд?"), ("q_type_2", "yesno"),
                  ("q_position_3", "3"), ("q_label_3", ""), ("q_type_3", "text")]
        r = b.post(path, fields)
        self.assertEqual(r.status, 303)
        s = self.api("GET", f"/api/v1/events/{self.ev['id']}/registration-form").json()
        self.assertEqual([q["label"] for q in s["questions"]], ["Обяд?", "Работна група"])
        self.assertEqual(s["questions"][1]["options"], ["Води", "Транспорт"])
        self.assertEqual(s["fields"]["organisation"], "required")
        # A choice without options: refused, what was typed is still there.
        bad = fields[:3] + [("q_label_1", "Празен избор"), ("q_type_1", "choice"), ("q_options_1", "")]
        r = b.post(path, bad)
        self.assertEqual(r.status, 422)
        self.assertIn('value="Празен избор"', r.text)
        self.assertEqual(self.api("GET", f"/api/v1/events/{self.ev['id']}/registration-form").json(), s)
        # Without the token: refused.
        self.assertEqual(b.post(path, fields[1:]).status, 403)


if __name__ == "__main__":
    unittest.main()
