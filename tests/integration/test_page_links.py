"""The pages lead to each other: the event's organisers' pages share one tab strip that marks
the page showing, and the public materials page points to the programme (and, for its
organisers only, to the organisers' page). Run against the demo conference."""
import re
import unittest

from harness import Server, Browser

DEMO_TITLE = "Капацитет на гражданското общество в социалния сектор"


class PageLinksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = Server(demo=True)
        cls.event_id, cls.slug = cls.s.sql("SELECT id, slug FROM events WHERE title = ?", DEMO_TITLE)[0]
        talk = cls.s.sql("SELECT t.id FROM talks t JOIN programme_sessions s ON s.id = t.session_id "
                         "WHERE s.event_id = ? ORDER BY t.id LIMIT 1", cls.event_id)[0][0]
        cls.s.sql("INSERT INTO materials (event_id, talk_id, title, filename, stored_name, content_type, size, sha256, created_at) "
                  "VALUES (?, ?, 'Приветствие', 'privetstvie.pdf', 'p1', 'application/pdf', 2048, 'cd', '2026-01-01T00:00:00Z')",
                  cls.event_id, talk)

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def organiser(self, lang):
        b = Browser(self.s, lang=lang)
        b.login(self.s.demo_email, self.s.demo_password)
        return b

    def test_tab_strip_marks_the_page_showing(self):
        base = f"/admin/events/{self.event_id}"
        pages = [base, base + "/registrations", base + "/form", base + "/invitations", base + "/messages", base + "/mail-texts",
                 base + "/programme", base + "/materials"]
        for lang, label in (("bg", "Страници на събитието"), ("en", "Pages of the event")):
            b = self.organiser(lang)
            for path in pages:
                page = b.get(path)
                self.assertEqual(page.status, 200, path)
                nav = re.search(r'<nav class="event-admin-nav[^"]*" aria-label="([^"]+)">(.*?)</nav>', page.text, re.S)
                self.assertIsNotNone(nav, f"{lang} {path}: no tab strip")
                self.assertEqual(nav.group(1), label)
                links = re.findall(r'<a href="([^"]+)"', nav.group(2))
                self.assertEqual(links, pages, path)
                current = re.findall(r'<a href="([^"]+)" aria-current="page"', nav.group(2))
                self.assertEqual(current, [path], f"{lang}: the tab marked current on {path}")
        # A new event has no pages yet: no strip.
        self.assertNotIn("event-admin-nav", self.organiser("bg").get("/admin/events/new").text)

    def test_tab_strip_only_for_the_events_organisers(self):
        # A visitor is sent to log in; the public pages carry no strip.
        visitor = Browser(self.s, lang="bg")
        self.assertIn(visitor.get(f"/admin/events/{self.event_id}/programme").status, (302, 303))
        for path in (f"/events/{self.slug}", f"/events/{self.slug}/programme", f"/events/{self.slug}/materials"):
            self.assertNotIn("event-admin-nav", visitor.get(path).text, path)

    def test_materials_page_leads_to_programme_and_organisers_page(self):
        path = f"/events/{self.slug}/materials"
        visitor = Browser(self.s, lang="bg").get(path).text
        self.assertIn(f'href="/events/{self.slug}/programme">Презентациите в програмата</a>', visitor)
        self.assertIn("(privetstvie.pdf, PDF, 2,0 КБ)", visitor)
        self.assertNotIn(f"/admin/events/{self.event_id}/materials", visitor)
        organiser = self.organiser("en").get(path).text
        self.assertIn(f'href="/admin/events/{self.event_id}/materials">Manage the materials</a>', organiser)
        self.assertIn("(privetstvie.pdf, PDF, 2.0 KB)", organiser)

    def test_speakers_talks_link_to_their_place_in_the_programme(self):
        b = Browser(self.s, lang="bg")
        speakers = b.get(f"/events/{self.slug}/speakers").text
        anchors = re.findall(rf'href="/events/{self.slug}/programme#(talk-\d+)"', speakers)
        self.assertGreaterEqual(len(anchors), 10)
        programme = b.get(f"/events/{self.slug}/programme").text
        for anchor in set(anchors):
            self.assertIn(f'id="{anchor}"', programme)

    def test_programme_times_in_bulgarian_end_in_ch(self):
        bg = Browser(self.s, lang="bg").get(f"/events/{self.slug}/programme").text
        self.assertRegex(bg, r'<div class="session-time">\d\d:\d\d – \d\d:\d\d ч\.</div>')
        self.assertNotRegex(bg, r'<div class="session-time">\d\d:\d\d – \d\d:\d\d</div>')
        en = Browser(self.s, lang="en").get(f"/events/{self.slug}/programme").text
        self.assertRegex(en, r'<div class="session-time">\d\d:\d\d – \d\d:\d\d</div>')


if __name__ == "__main__":
    unittest.main()
