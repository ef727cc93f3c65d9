"""Issue 12: clients behind a trusted proxy, /metrics, login brute force, CSRF rotation, the
login's next, API token expiry and revocation, disabled accounts (CLI and the admins' page),
and organiser pages that do not tell what exists."""
import http.client
import re
import time
import unittest
import urllib.parse

from harness import Browser, Server, ServerTestCase, add_organiser, api_request


def request_from(server, source, method, path, body=None, headers=None):
    """A request from another loopback address (127.0.0.0/8), so the server sees another client."""
    return server.request(method, path, body=body, headers=headers, source=source)


class LoginForm:
    """A CSRF cookie and its token, usable from any address."""

    def __init__(self, server):
        b = Browser(server)
        self.token = Browser.csrf(b.get("/login"))
        self.cookie = "sabor_csrf=" + b.cookies["sabor_csrf"]

    def post(self, server, email, password, source="127.0.0.1", headers=None, next_="/admin"):
        h = {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        body = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": self.token, "next": next_})
        return request_from(server, source, "POST", "/login", body=body, headers=h)


def log_lines(server, marker):
    time.sleep(0.2)
    return [l for l in server.log if marker in l]


class TrustedProxyTest(ServerTestCase):
    env = {"SABOR_SERVER_TRUSTED_PROXIES": "127.0.0.1", "SABOR_LIMITS_LOGINS_PER_MINUTE": "3",
           "SABOR_SERVER_METRICS_TOKEN": "metrics-token-for-tests"}

    def test_each_forwarded_client_has_its_own_login_limit(self):
        f = LoginForm(self.s)
        codes = [f.post(self.s, f"a{i}@example.bg", "wrong-password", headers={"X-Forwarded-For": "10.1.1.1"}).status
                 for i in range(4)]
        self.assertEqual(codes, [401, 401, 401, 429])
        # Another visitor behind the same proxy is not locked out by the first.
        self.assertEqual(f.post(self.s, "b@example.bg", "wrong-password", headers={"X-Forwarded-For": "10.1.1.2"}).status, 401)
        # The client is the rightmost address the proxy did not vouch for: a forged left part changes nothing.
        r = f.post(self.s, "c@example.bg", "wrong-password", headers={"X-Forwarded-For": "10.7.7.7, 10.1.1.1"})
        self.assertEqual(r.status, 429)

    def test_headers_from_an_untrusted_peer_are_ignored(self):
        f = LoginForm(self.s)
        codes = [f.post(self.s, f"d{i}@example.bg", "wrong-password", source="127.0.0.3",
                        headers={"X-Forwarded-For": f"10.2.2.{i}"}).status for i in range(4)]
        self.assertEqual(codes, [401, 401, 401, 429])

    def test_the_access_log_names_the_client(self):
        self.s.request("GET", "/healthz?via=xff", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.5"})
        self.s.request("GET", "/healthz?via=forwarded", headers={"Forwarded": 'for="[2001:db8::7]:4711";proto=https'})
        request_from(self.s, "127.0.0.4", "GET", "/healthz?via=untrusted", headers={"X-Forwarded-For": "203.0.113.9"})
        self.assertIn(" 203.0.113.5 GET", log_lines(self.s, "via=xff")[0])
        self.assertIn(" 2001:db8::7 GET", log_lines(self.s, "via=forwarded")[0])
        self.assertIn(" 127.0.0.4 GET", log_lines(self.s, "via=untrusted")[0])

    def test_metrics_only_locally_or_with_the_token(self):
        self.assertEqual(self.s.request("GET", "/metrics").status, 200)
        # A visitor forwarded by the proxy is that visitor, not loopback.
        outsider = {"X-Forwarded-For": "203.0.113.5"}
        self.assertEqual(self.s.request("GET", "/metrics", headers=outsider).status, 403)
        self.assertEqual(self.s.request("GET", "/metrics", headers=dict(outsider, Authorization="Bearer wrong")).status, 403)
        r = self.s.request("GET", "/metrics", headers=dict(outsider, Authorization="Bearer metrics-token-for-tests"))
        self.assertEqual(r.status, 200)
        self.assertIn("sabor_", r.text)


class MetricsWithoutProxyTest(ServerTestCase):
    def test_a_forwarded_request_is_not_local(self):
        self.assertEqual(self.s.request("GET", "/metrics").status, 200)
        # A proxy on this machine that sabor was not told about: its visitors are not local.
        r = self.s.request("GET", "/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
        self.assertEqual(r.status, 403)
        self.assertEqual(self.s.request("GET", "/metrics", headers={"Forwarded": "for=203.0.113.5"}).status, 403)
        # No token configured: no token opens it.
        self.assertEqual(self.s.request("GET", "/metrics", headers={"X-Forwarded-For": "203.0.113.5",
                                                                    "Authorization": "Bearer "}).status, 403)


class BruteForceTest(ServerTestCase):
    @classmethod
    def prepare(cls, s):
        s.cli("user", "add", "--email", "target@example.bg", "--name", "Цел", stdin="верната-парола\n")
        s.cli("user", "add", "--email", "owner@example.bg", "--name", "Собственик", stdin="верната-парола\n")

    def test_one_account_from_thirty_addresses_is_throttled(self):
        f = LoginForm(self.s)
        # Half of them spell the address in capitals: it is the same account.
        answers = [f.post(self.s, "TARGET@Example.bg" if i % 2 else "target@example.bg", f"guess-{i}",
                          source=f"127.0.1.{i + 1}") for i in range(30)]
        codes = [r.status for r in answers]
        self.assertGreaterEqual(codes.count(429), 20, codes)
        self.assertLessEqual(codes.count(401), 10, codes)
        r = next(r for r in answers if r.status == 429)
        self.assertTrue(r.header("Retry-After"))
        self.assertIn("Твърде много неуспешни опити за вход в този профил", r.text)

    def test_the_owner_gets_in_once_the_back_off_is_over(self):
        f = LoginForm(self.s)
        for i in range(5):
            self.assertEqual(f.post(self.s, "owner@example.bg", f"guess-{i}", source=f"127.0.2.{i + 1}").status, 401)
        # Even the right password waits: otherwise the throttle would tell a guess that is right.
        self.assertEqual(f.post(self.s, "owner@example.bg", "верната-парола", source="127.0.2.50").status, 429)
        time.sleep(1.2)
        self.assertEqual(f.post(self.s, "owner@example.bg", "верната-парола", source="127.0.2.51").status, 303)
        # A successful login starts the count again.
        self.assertEqual(f.post(self.s, "owner@example.bg", "guess-again", source="127.0.2.52").status, 401)


class LoginFormTest(ServerTestCase):
    @classmethod
    def prepare(cls, s):
        s.cli("user", "add", "--email", "ana@example.bg", "--name", "Ана", stdin="парола-на-ана\n")
        s.cli("user", "add", "--email", "boris@example.bg", "--name", "Борис", stdin="парола-на-борис\n")

    def test_csrf_token_changes_at_login_and_logout(self):
        b = Browser(self.s)
        before = Browser.csrf(b.get("/login"))
        b.login("ana@example.bg", "парола-на-ана")
        # The token from before the login no longer works.
        self.assertEqual(b.post("/logout", {"csrf_token": before}).status, 403)
        during = Browser.csrf(b.get("/admin"))
        self.assertNotEqual(before, during)
        self.assertEqual(b.post("/logout", {"csrf_token": during}).status, 303)
        # Nor does the signed-in token after the logout, e.g. for a login as someone else.
        r = b.post("/login", {"email": "boris@example.bg", "password": "парола-на-борис", "csrf_token": during, "next": "/admin"})
        self.assertEqual(r.status, 403)

    def test_next_with_a_control_character_or_backslash_goes_to_admin(self):
        f = LoginForm(self.s)
        for bad in ["/\t/evil.example", "/\n/evil.example", "/\\evil.example", "/a\\b", "/x\x7f", "/\x00"]:
            r = f.post(self.s, "ana@example.bg", "парола-на-ана", next_=bad)
            self.assertEqual(r.status, 303, repr(bad))
            self.assertEqual(r.header("Location"), "/admin", repr(bad))
        r = f.post(self.s, "ana@example.bg", "парола-на-ана", next_="/admin/events/new?x=1")
        self.assertEqual(r.header("Location"), "/admin/events/new?x=1")
        page = Browser(self.s).get("/login?next=" + urllib.parse.quote("/\t/evil.example"))
        self.assertNotIn("evil.example", page.text)


EVENT = {"title": "Семинар", "kind": "seminar", "starts_at": "2031-05-10T10:00:00+03:00",
         "ends_at": "2031-05-10T12:00:00+03:00", "venue": "Зала", "city": "Русе", "registration_mode": "open"}


class ExistenceTest(ServerTestCase):
    @classmethod
    def prepare(cls, s):
        cls.token = add_organiser(s, "owner@ruse.bg")
        add_organiser(s, "other@ruse.bg")

    def test_someone_elses_draft_or_registration_is_not_found(self):
        draft = api_request(self.s, self.token, "POST", "/api/v1/events", EVENT).json()
        public = api_request(self.s, self.token, "POST", "/api/v1/events", dict(EVENT, title="Открито")).json()
        self.assertEqual(api_request(self.s, self.token, "POST", f"/api/v1/events/{public['id']}/publish").status, 200)
        reg = self.s.request("POST", f"/api/v1/events/{public['id']}/registrations",
                             body={"name": "Иван Иванов", "email": "ivan@example.bg", "organisation": "Община",
                                   "position": "експерт", "consent": True})
        self.assertIn(reg.status, (200, 201), reg.text)
        rid = self.s.sql("SELECT id FROM registrations ORDER BY id DESC LIMIT 1")[0][0]
        other = Browser(self.s)
        other.login("other@ruse.bg", "password-123")
        missing = 999999
        for path in [f"/admin/events/{draft['id']}", f"/admin/events/{draft['id']}/registrations",
                     f"/admin/events/{draft['id']}/materials", f"/admin/events/{draft['id']}/programme",
                     f"/admin/events/{missing}", f"/admin/events/{missing}/registrations",
                     f"/admin/registrations/{rid}", f"/admin/registrations/{missing}"]:
            self.assertEqual(other.get(path).status, 404, path)
        owner = Browser(self.s)
        owner.login("owner@ruse.bg", "password-123")
        self.assertEqual(owner.get(f"/admin/events/{draft['id']}/registrations").status, 200)
        self.assertEqual(owner.get(f"/admin/registrations/{rid}").status, 200)


class TokensCliTest(ServerTestCase):
    def api_status(self, token):
        # An authorised call with an empty body is refused for the body (not 401).
        return api_request(self.s, token, "POST", "/api/v1/events", {}).status

    def test_token_create_with_days_list_and_revoke(self):
        forever = add_organiser(self.s, "tokens@example.bg")
        week = self.s.cli("token", "create", "--email", "tokens@example.bg", "--days", "7").stdout.strip()
        self.assertTrue(week.startswith("sabor_"))
        self.assertNotEqual(self.api_status(week), 401)
        lines = self.s.cli("token", "list", "--email", "tokens@example.bg").stdout.strip().splitlines()
        self.assertEqual(len(lines), 2)
        rows = [l.split("\t") for l in lines]
        self.assertEqual(rows[0][2], "never")  # the first token does not expire
        self.assertRegex(rows[1][2], r"^\d{4}-\d\d-\d\dT")
        self.assertRegex(rows[1][3], r"^\d{4}-\d\d-\d\dT")  # used just now
        self.assertEqual(rows[0][3], "never")
        # An expired token stops working.
        self.s.sql("UPDATE api_tokens SET expires_at = '2000-01-01T00:00:00Z' WHERE id = ?", int(rows[1][0]))
        self.assertEqual(self.api_status(week), 401)
        # Revoked: at once.
        self.assertNotEqual(self.api_status(forever), 401)
        out = self.s.cli("token", "revoke", rows[0][0]).stdout
        self.assertIn("revoked", out)
        self.assertEqual(self.api_status(forever), 401)
        p = self.s.cli("token", "revoke", rows[0][0], check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("no API token", p.stderr)
        for bad in (["--days", "0"], ["--days", "x"], ["--days", "4000"]):
            p = self.s.cli("token", "create", "--email", "tokens@example.bg", *bad, check=False)
            self.assertEqual(p.returncode, 2, bad)
        self.assertEqual(self.s.cli("token", "revoke", "abc", check=False).returncode, 2)

    def test_user_list_disable_enable_and_password(self):
        token = add_organiser(self.s, "leaving@example.bg", name="Напускащ")
        b = Browser(self.s)
        b.login("leaving@example.bg", "password-123")
        self.assertEqual(b.get("/admin").status, 200)
        out = self.s.cli("user", "disable", "--email", "leaving@example.bg").stdout
        self.assertIn("disabled leaving@example.bg", out)
        self.assertEqual(b.get("/admin").status, 303)  # the session is gone
        self.assertEqual(self.api_status(token), 401)  # and the token
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                    "WHERE u.email = 'leaving@example.bg'")[0][0], 0)
        f = LoginForm(self.s)
        r = f.post(self.s, "leaving@example.bg", "password-123")
        self.assertEqual(r.status, 403)
        self.assertIn("Този профил е изключен", r.text)
        listing = self.s.cli("user", "list").stdout
        self.assertRegex(listing, r"\d+\tleaving@example\.bg\torganiser\tdisabled\tНапускащ")
        self.assertEqual(self.s.cli("token", "create", "--email", "leaving@example.bg", check=False).returncode, 1)
        self.s.cli("user", "enable", "--email", "leaving@example.bg")
        self.assertEqual(f.post(self.s, "leaving@example.bg", "password-123").status, 303)

        b.login("leaving@example.bg", "password-123")
        self.s.cli("user", "password", "--email", "leaving@example.bg", stdin="нова-парола-123\n")
        self.assertEqual(b.get("/admin").status, 303)  # sessions end
        self.assertEqual(f.post(self.s, "leaving@example.bg", "password-123").status, 401)
        self.assertEqual(f.post(self.s, "leaving@example.bg", "нова-парола-123").status, 303)
        p = self.s.cli("user", "password", "--email", "leaving@example.bg", stdin="short\n", check=False)
        self.assertEqual(p.returncode, 2)
        p = self.s.cli("user", "disable", "--email", "nobody@example.bg", check=False)
        self.assertEqual(p.returncode, 1)


class AdminUsersPageTest(ServerTestCase):
    @classmethod
    def prepare(cls, s):
        s.cli("user", "add", "--email", "admin@example.bg", "--name", "Админ", "--role", "admin", stdin="admin-password\n")
        cls.org_token = add_organiser(s, "org@example.bg", name="Организаторка")

    def test_admin_manages_accounts_and_tokens_on_the_page(self):
        org = Browser(self.s)
        org.login("org@example.bg", "password-123")
        self.assertEqual(org.get("/admin/users").status, 403)
        a = Browser(self.s)
        a.login("admin@example.bg", "admin-password")
        page = a.get("/admin/users")
        self.assertEqual(page.status, 200)
        self.assertIn("Организаторка", page.text)
        self.assertIn('href="/admin/users"', page.text)
        uid = self.s.sql("SELECT id FROM users WHERE email = 'org@example.bg'")[0][0]
        page = a.get(f"/admin/users/{uid}")
        self.assertIn("API ключове", page.text)
        csrf = Browser.csrf(page)
        # A token for a week, shown once.
        r = a.post(f"/admin/users/{uid}/tokens", {"csrf_token": csrf, "days": "7"})
        self.assertEqual(r.status, 200)
        new = re.search(r"(sabor_[A-Za-z0-9_-]+)", r.text).group(1)
        self.assertNotEqual(api_request(self.s, new, "POST", "/api/v1/events", {}).status, 401)
        self.assertEqual(a.post(f"/admin/users/{uid}/tokens", {"csrf_token": csrf, "days": "-3"}).status, 422)
        tid = self.s.sql("SELECT id FROM api_tokens WHERE expires_at IS NOT NULL")[0][0]
        self.assertEqual(a.post(f"/admin/users/{uid}/tokens/{tid}/revoke", {"csrf_token": csrf}).status, 303)
        self.assertEqual(api_request(self.s, new, "POST", "/api/v1/events", {}).status, 401)
        # Without the CSRF token nothing happens.
        self.assertEqual(a.post(f"/admin/users/{uid}/state", {"action": "disable"}).status, 403)
        self.assertEqual(org.get("/admin").status, 200)
        # Disabled: the organiser's session and token stop at once.
        r = a.post(f"/admin/users/{uid}/state", {"csrf_token": csrf, "action": "disable"})
        self.assertEqual(r.status, 303)
        self.assertIn("Профилът е изключен", a.get(r.header("Location")).text)
        self.assertEqual(org.get("/admin").status, 303)
        self.assertEqual(api_request(self.s, self.org_token, "POST", "/api/v1/events", {}).status, 401)
        self.assertEqual(a.post(f"/admin/users/{uid}/state", {"csrf_token": csrf, "action": "enable"}).status, 303)
        # A new password ends the sessions.
        org.login("org@example.bg", "password-123")
        self.assertEqual(a.post(f"/admin/users/{uid}/password", {"csrf_token": csrf, "password": "short"}).status, 422)
        self.assertEqual(a.post(f"/admin/users/{uid}/password", {"csrf_token": csrf, "password": "a-new-password"}).status, 303)
        self.assertEqual(org.get("/admin").status, 303)
        org.login("org@example.bg", "a-new-password")
        # An admin cannot disable themselves.
        me = self.s.sql("SELECT id FROM users WHERE email = 'admin@example.bg'")[0][0]
        self.assertEqual(a.post(f"/admin/users/{me}/state", {"csrf_token": csrf, "action": "disable"}).status, 422)
        self.assertEqual(a.get(f"/admin/users/{missing_id()}").status, 404)


def missing_id():
    return 999999


if __name__ == "__main__":
    unittest.main()
