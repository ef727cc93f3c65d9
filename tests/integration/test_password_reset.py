"""Issue 14 (accounts): a forgotten password. /password/forgot mails a single-use link valid
for an hour, answering the same whether the address has an account or not; the link sets a
new password and ends every session of the account. Mail read back from a real SMTP server."""
import re
import unittest

from harness import Browser, Server
from smtp_sink import Sink


def text_part(msg):
    return next(p for p in msg.walk() if p.get_content_type() == "text/plain").get_content()


class PasswordResetTest(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        self.s = Server(env={"SABOR_MAIL_SMTP_URL": self.sink.url, "SABOR_MAIL_RETRY_FIRST_SECONDS": "1"})
        self.s.cli("user", "add", "--email", "org@ruse.bg", "--name", "Мария Петрова", stdin="old-password-1\n")

    def tearDown(self):
        self.s.close()
        self.sink.stop()

    def ask(self, email, lang="bg"):
        b = Browser(self.s, lang=lang)
        page = b.get("/password/forgot")
        self.assertEqual(page.status, 200)
        return b.post("/password/forgot", {"email": email, "csrf_token": Browser.csrf(page)})

    def mails(self):
        self.s.round()  # the mail worker's round: what was queued is delivered now
        return [Sink.parse(raw) for (_, _, raw) in self.sink.handler.messages]

    def link(self, msg):
        return re.search(r"http://[^/\s]+(/password/reset/[A-Za-z0-9_-]+)", text_part(msg)).group(1)

    def test_the_answer_does_not_tell_who_has_an_account(self):
        known, unknown = self.ask("org@ruse.bg"), self.ask("nobody@ruse.bg")
        self.assertEqual((known.status, unknown.status), (200, 200))
        strip = lambda t: re.sub(r'name="csrf_token" value="[0-9a-f]+"', "", t)
        self.assertEqual(strip(known.text), strip(unknown.text))
        self.assertIn("Ако има профил с този адрес", known.text)
        msgs = self.mails()
        self.assertEqual([m["To"].addresses[0].addr_spec for m in msgs], ["org@ruse.bg"])
        self.assertEqual(msgs[0]["Subject"], "Нова парола за Събор")
        self.assertIn("Здравейте, Мария Петрова!", text_part(msgs[0]))
        self.assertIn("може да се използва веднъж", text_part(msgs[0]))

    def test_the_link_sets_a_new_password_once_and_ends_every_session(self):
        signed_in = Browser(self.s)
        signed_in.login("org@ruse.bg", "old-password-1")
        self.assertEqual(signed_in.get("/admin").status, 200)
        self.ask("org@ruse.bg")
        path = self.link(self.mails()[0])
        b = Browser(self.s, lang="bg")
        page = b.get(path)
        self.assertEqual(page.status, 200)
        self.assertEqual(page.header("Referrer-Policy"), "no-referrer")
        self.assertIn("org@ruse.bg", page.text)
        # Refused, changing nothing: too short, the two differ, no CSRF token.
        r = b.post(path, {"password": "short", "password_again": "short", "csrf_token": Browser.csrf(page)})
        self.assertEqual(r.status, 422)
        self.assertIn("поне 8 знака", r.text)
        r = b.post(path, {"password": "new-password-1", "password_again": "new-password-2", "csrf_token": Browser.csrf(page)})
        self.assertEqual(r.status, 422)
        self.assertIn("не съвпадат", r.text)
        self.assertEqual(b.post(path, {"password": "new-password-1", "password_again": "new-password-1"}).status, 403)
        self.assertEqual(signed_in.get("/admin").status, 200)  # nothing changed yet
        r = b.post(path, {"password": "нова-парола-1", "password_again": "нова-парола-1", "csrf_token": Browser.csrf(page)})
        self.assertEqual(r.status, 200, r.text)
        self.assertIn("Паролата е сменена", r.text)
        # The old session ended; the old password fails, the new one works.
        self.assertEqual(signed_in.get("/admin").status, 303)
        form = Browser(self.s)
        login = form.get("/login")
        self.assertEqual(form.post("/login", {"email": "org@ruse.bg", "password": "old-password-1",
                                              "csrf_token": Browser.csrf(login), "next": "/admin"}).status, 401)
        Browser(self.s).login("org@ruse.bg", "нова-парола-1")
        # Once only.
        again = Browser(self.s, lang="bg").get(path)
        self.assertEqual(again.status, 404)
        self.assertIn("вече е използвана", again.text)

    def test_a_link_expires_after_an_hour_and_a_newer_one_retires_it(self):
        self.ask("org@ruse.bg")
        first = self.link(self.mails()[0])
        self.assertEqual(Browser(self.s).get(first).status, 200)
        self.s.sql("UPDATE password_resets SET created_at = '2000-01-01T00:00:00Z'")  # past the 5 minutes between mails
        self.ask("org@ruse.bg")
        msgs = self.mails()
        self.assertEqual(len(msgs), 2)
        second = self.link(msgs[1])
        self.assertEqual(Browser(self.s).get(first).status, 404)  # retired by the newer link
        self.assertEqual(Browser(self.s).get(second).status, 200)
        self.s.sql("UPDATE password_resets SET expires_at = '2000-01-01T01:00:00Z'")
        self.assertEqual(Browser(self.s).get(second).status, 404)

    def test_one_mail_every_few_minutes_and_none_for_a_disabled_account(self):
        self.ask("org@ruse.bg")
        self.ask("ORG@ruse.bg")  # the same account, asked again at once
        self.assertEqual(len(self.mails()), 1)
        self.s.cli("user", "add", "--email", "gone@ruse.bg", "--name", "Бивш", stdin="password-123\n")
        self.s.cli("user", "disable", "--email", "gone@ruse.bg")
        self.assertEqual(self.ask("gone@ruse.bg").status, 200)
        self.assertEqual(len(self.mails()), 1)

    def test_bad_input_is_answered_in_the_users_language(self):
        r = self.ask("not an address")
        self.assertEqual(r.status, 422)
        self.assertIn("валиден адрес", r.text)
        r = self.ask("a@b.bg\r\nBcc: x@evil.example")
        self.assertEqual(r.status, 422)
        r = Browser(self.s, lang="en").get("/password/reset/unknown-link-0000000000")
        self.assertEqual(r.status, 404)
        self.assertIn("has been used or has expired", r.text)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM password_resets")[0][0], 0)
        self.assertEqual(self.mails(), [])

    def test_the_login_page_links_to_it(self):
        page = Browser(self.s, lang="bg").get("/login")
        self.assertIn('href="/password/forgot"', page.text)
        self.assertIn("Забравена парола?", page.text)


if __name__ == "__main__":
    unittest.main()
