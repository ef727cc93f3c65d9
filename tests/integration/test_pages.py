"""Public pages: the demo in Bulgarian and English, the event page, drafts, the cache."""
import re
import time
import unittest

from harness import ServerTestCase, Server, Browser


class PagesTest(ServerTestCase):
    demo = True

    def test_home_lists_demo_events_in_bulgarian(self):
        r = self.s.request("GET", "/")
        self.assertEqual(r.status, 200)
        self.assertIn('<html lang="bg">', r.text)
        for title in ["Капацитет на гражданското общество в социалния сектор",
                      "Мрежи на доставчиците на социални услуги",
                      "Форум за сътрудничество между общините и НПО"]:
            self.assertIn(title, r.text)
        self.assertNotIn("чернова", r.text)  # the draft is not listed
        self.assertNotIn("Обучение за управление на проекти", r.text)  # past
        # Upcoming first: Kardzhali (in 21 days) before Ruse (35) before Gabrovo (49).
        self.assertLess(r.text.index("Капацитет"), r.text.index("Мрежи"))
        self.assertLess(r.text.index("Мрежи"), r.text.index("Форум за"))
        self.assertRegex(r.text, r"\d{1,2} (януари|февруари|март|април|май|юни|юли|август|септември|октомври|ноември|декември) \d{4} г\., \d\d:\d\d ч\.")

    def test_past_events_and_filters(self):
        r = self.s.request("GET", "/events/past")
        self.assertIn("Обучение за управление на проекти", r.text)
        self.assertNotIn("Мрежи на доставчиците", r.text)
        r = self.s.request("GET", "/?city=%D0%A0%D1%83%D1%81%D0%B5")
        self.assertIn("Мрежи на доставчиците", r.text)
        self.assertNotIn("Форум за сътрудничество", r.text)
        r = self.s.request("GET", "/?kind=forum")
        self.assertIn("Форум за сътрудничество", r.text)
        self.assertNotIn("Мрежи на доставчиците", r.text)

    def test_language_from_query_cookie_and_accept_language(self):
        r = self.s.request("GET", "/?lang=en")
        self.assertIn('<html lang="en">', r.text)
        self.assertIn("Upcoming events", r.text)
        self.assertTrue(any(c.startswith("lang=en") and "HttpOnly" in c and "SameSite=Lax" in c for c in r.all("Set-Cookie")))
        r = self.s.request("GET", "/", headers={"Cookie": "lang=en"})
        self.assertIn('<html lang="en">', r.text)
        r = self.s.request("GET", "/", headers={"Accept-Language": "en-GB,en;q=0.9"})
        self.assertIn('<html lang="en">', r.text)
        r = self.s.request("GET", "/", headers={"Accept-Language": "de,bg;q=0.5"})
        self.assertIn('<html lang="bg">', r.text)
        r = self.s.request("GET", "/?lang=xx")
        self.assertIn('<html lang="bg">', r.text)

    def test_event_page_shows_venue_organisers_and_funding(self):
        home = self.s.request("GET", "/").text
        slug = re.search(r'href="/events/(kapatsitet[^"]*)"', home).group(1)
        self.assertEqual(slug, "kapatsitet-na-grazhdanskoto-obshtestvo-v-sotsialnia-sektor")
        r = self.s.request("GET", "/events/" + slug)
        self.assertEqual(r.status, 200)
        t = r.text
        self.assertIn("Кърджали", t)
        self.assertIn("Областна администрация Кърджали", t)
        self.assertIn('class="funding"', t)
        self.assertIn("Проектът се осъществява с финансовата подкрепа на Европейския социален фонд плюс", t)
        self.assertIn("BG05SFPR002-2.001-0123", t)
        self.assertIn('<a href="https://www.eufunds.bg" rel="noopener nofollow">', t)
        en = self.s.request("GET", "/events/" + slug + "?lang=en").text
        self.assertIn("Funding", en)
        self.assertRegex(en, r"\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}, \d\d:\d\d")

    def test_drafts_are_private(self):
        slug = self.s.sql("SELECT slug FROM events WHERE status = 'draft'")[0][0]
        self.assertEqual(self.s.request("GET", "/events/" + slug).status, 404)
        b = Browser(self.s)
        b.login(self.s.demo_email, self.s.demo_password)
        r = b.get("/events/" + slug)
        self.assertEqual(r.status, 200)
        self.assertIn("чернова", r.text)

    def test_cancelled_event_says_so(self):
        self.s.sql("UPDATE events SET status = 'cancelled' WHERE city = 'Габрово'")
        slug = self.s.sql("SELECT slug FROM events WHERE city = 'Габрово'")[0][0]
        r = self.s.request("GET", "/events/" + slug)
        self.assertEqual(r.status, 200)
        self.assertIn("Събитието е отменено.", r.text)
        self.s.sql("UPDATE events SET status = 'published' WHERE city = 'Габрово'")

    def test_cached_pages_notice_commits_from_other_processes(self):
        slug = self.s.sql("SELECT slug FROM events WHERE city = 'Русе'")[0][0]
        first = self.s.request("GET", "/events/" + slug).text
        self.assertEqual(first, self.s.request("GET", "/events/" + slug).text)
        self.s.sql("UPDATE events SET venue = 'Зала „Нова“' WHERE slug = ?", slug)
        self.assertIn("Зала „Нова“", self.s.request("GET", "/events/" + slug).text)


if __name__ == "__main__":
    unittest.main()
