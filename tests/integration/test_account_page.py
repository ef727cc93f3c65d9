"""Issue 14 (accounts): the person's own account at /account: changing the password (the
current one asked first; other browsers signed out, this one kept) and signing out on every
device."""
import unittest

from harness import Browser, Server


class AccountPageTest(unittest.TestCase):
    def setUp(self):
        self.s = Server(env={"SABOR_LIMITS_LOGINS_PER_MINUTE": "100"})
        self.s.cli("user", "add", "--email", "org@ruse.bg", "--name", "Мария Петрова", stdin="old-password-1\n")

    def tearDown(self):
        self.s.close()

    def signed_in(self, password="old-password-1"):
        b = Browser(self.s, lang="bg")
        b.login("org@ruse.bg", password)
        return b

    def change(self, b, current, new, again=None):
        page = b.get("/account")
        return b.post("/account/password", {"current_password": current, "password": new,
                                            "password_again": new if again is None else again,
                                            "csrf_token": Browser.csrf(page)})

    def can_sign_in(self, password):
        b = Browser(self.s)
        page = b.get("/login")
        r = b.post("/login", {"email": "org@ruse.bg", "password": password, "csrf_token": Browser.csrf(page), "next": "/admin"})
        return r.status == 303

    def test_the_page_is_linked_from_every_signed_in_page_and_needs_a_sign_in(self):
        b = self.signed_in()
        admin = b.get("/admin")
        self.assertIn('href="/account"', admin.text)
        page = b.get("/account")
        self.assertEqual(page.status, 200)
        self.assertIn("Моят профил", page.text)
        self.assertIn("org@ruse.bg", page.text)
        r = Browser(self.s).get("/account")
        self.assertEqual((r.status, r.header("Location")), (303, "/login?next=/account"))

    def test_changing_the_password_asks_the_current_one_and_signs_out_other_browsers(self):
        here, elsewhere = self.signed_in(), self.signed_in()
        # Refused, changing nothing: a wrong current password, too short, the two differ, no CSRF.
        r = self.change(here, "wrong-password", "new-password-1")
        self.assertEqual(r.status, 422)
        self.assertIn("Сегашната парола не е вярна", r.text)
        self.assertEqual(self.change(here, "old-password-1", "short").status, 422)
        r = self.change(here, "old-password-1", "new-password-1", "new-password-2")
        self.assertEqual(r.status, 422)
        self.assertIn("не съвпадат", r.text)
        r = here.post("/account/password", {"current_password": "old-password-1", "password": "new-password-1",
                                            "password_again": "new-password-1"})
        self.assertEqual(r.status, 403)
        self.assertTrue(self.can_sign_in("old-password-1"))
        self.assertEqual(elsewhere.get("/admin").status, 200)
        # Changed: this browser stays signed in, the other one is out, only the new password works.
        r = self.change(here, "old-password-1", "нова-парола-1")
        self.assertEqual((r.status, r.header("Location")), (303, "/account?notice=password_changed"))
        self.assertIn("Паролата е сменена", here.get("/account?notice=password_changed").text)
        self.assertEqual(here.get("/admin").status, 200)
        self.assertEqual(elsewhere.get("/admin").status, 303)
        self.assertFalse(self.can_sign_in("old-password-1"))
        self.assertTrue(self.can_sign_in("нова-парола-1"))
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'account.password_changed'")[0][0], 1)

    def test_guessing_the_current_password_backs_off_like_a_login(self):
        b = self.signed_in()
        statuses = [self.change(b, f"guess-{i}-password", "new-password-1").status for i in range(8)]
        self.assertIn(429, statuses)
        self.assertEqual(statuses[0], 422)

    def test_signing_out_everywhere_ends_every_session(self):
        here, elsewhere = self.signed_in(), self.signed_in()
        page = here.get("/account")
        self.assertEqual(here.post("/account/sign-out-everywhere", {}).status, 403)  # no CSRF token: nothing ends
        self.assertEqual(elsewhere.get("/admin").status, 200)
        r = here.post("/account/sign-out-everywhere", {"csrf_token": Browser.csrf(page)})
        self.assertEqual((r.status, r.header("Location")), (303, "/login"))
        self.assertEqual(here.get("/admin").status, 303)
        self.assertEqual(elsewhere.get("/admin").status, 303)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM sessions")[0][0], 0)
        self.assertTrue(self.can_sign_in("old-password-1"))  # the password itself is unchanged


if __name__ == "__main__":
    unittest.main()
