"""Organiser accounts: login, CSRF, sessions, rate limits, who sees what."""
import unittest

from harness import ServerTestCase, Server, Browser


class AccountsTest(ServerTestCase):
    demo = True
    env = {"SABOR_LIMITS_LOGINS_PER_MINUTE": "5"}

    @classmethod
    def prepare(cls, s):
        s.cli("user", "add", "--email", "maria@obshtina.bg", "--name", "Мария Иванова", stdin="парола-за-мария\n")

    def test_login_page_has_csrf_token_and_cookie(self):
        b = Browser(self.s)
        r = b.get("/login")
        self.assertEqual(r.status, 200)
        self.assertIn('name="csrf_token"', r.text)
        self.assertIn("sabor_csrf", b.cookies)
        cookie = [c for c in r.all("Set-Cookie") if c.startswith("sabor_csrf=")][0]
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Lax", cookie)

    def test_post_without_valid_csrf_is_403(self):
        b = Browser(self.s)
        b.get("/login")
        r = b.post("/login", {"email": "maria@obshtina.bg", "password": "парола-за-мария"})
        self.assertEqual(r.status, 403)
        r = b.post("/login", {"email": "maria@obshtina.bg", "password": "парола-за-мария", "csrf_token": "0" * 64})
        self.assertEqual(r.status, 403)
        self.assertNotIn("sabor_session", b.cookies)

    def test_login_logout_and_admin_access(self):
        b = Browser(self.s)
        self.assertEqual(b.get("/admin").status, 303)
        r = b.login("Maria@Obshtina.bg", "парола-за-мария")
        self.assertEqual(r.header("Location"), "/admin")
        session = [c for c in r.all("Set-Cookie") if c.startswith("sabor_session=")][0]
        self.assertIn("HttpOnly", session)
        self.assertIn("SameSite=Lax", session)
        page = b.get("/admin")
        self.assertEqual(page.status, 200)
        self.assertIn("Мария Иванова", page.text)
        # Maria manages nothing yet: the demo events are not hers.
        self.assertNotIn("Капацитет на гражданското общество", page.text)
        r = b.post("/logout", {"csrf_token": Browser.csrf(page)})
        self.assertEqual(r.status, 303)
        self.assertEqual(b.get("/admin").status, 303)

    def test_admin_sees_all_events(self):
        b = Browser(self.s)
        b.login(self.s.demo_email, self.s.demo_password)
        page = b.get("/admin").text
        self.assertIn("Капацитет на гражданското общество", page)
        self.assertIn("(чернова)", page)

    def test_wrong_password_keeps_the_email_and_says_why(self):
        b = Browser(self.s, lang="en")
        page = b.get("/login")
        r = b.post("/login", {"email": "maria@obshtina.bg\"><script>", "password": "wrong", "csrf_token": Browser.csrf(page)})
        self.assertEqual(r.status, 401)
        self.assertIn("Wrong e-mail address or password.", r.text)
        self.assertIn("maria@obshtina.bg&quot;&gt;&lt;script&gt;", r.text)
        self.assertNotIn("<script>", r.text)

    def test_open_redirects_are_refused(self):
        b = Browser(self.s)
        page = b.get("/login?next=//evil.example/")
        self.assertNotIn("evil.example", page.text)


class RateLimitTest(unittest.TestCase):
    def test_login_attempts_are_limited_per_address(self):
        s = Server(env={"SABOR_LIMITS_LOGINS_PER_MINUTE": "3"})
        try:
            b = Browser(s)
            page = b.get("/login")
            token = Browser.csrf(page)
            codes = [b.post("/login", {"email": "x@y.bg", "password": "nope", "csrf_token": token}).status for _ in range(5)]
            self.assertEqual(codes[:3], [401, 401, 401])
            self.assertEqual(codes[3:], [429, 429])
            r = b.post("/login", {"email": "x@y.bg", "password": "nope", "csrf_token": token})
            self.assertIn("Твърде много опити", r.text)
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
