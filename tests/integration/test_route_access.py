"""Issue 13: every route that `sabor routes` lists is called by an anonymous visitor, a
participant holding their personal link, an organiser of another event, the event's manager
and an admin, and each answer is checked against the access the route declares. The table
comes from the binary, so a new route is in this test the moment it exists; one whose path
has a parameter this test cannot fill fails until PARAMS learns it."""
import email
import email.policy
import os
import re
import unittest
import urllib.parse

from harness import Browser, Server, add_organiser, api_request
from smtp_sink import Sink
from test_materials import make_pdf, multipart
from test_programme import multipart as form_with_files, png_bytes

ACCESS = {"anyone", "personal_link", "event_reader", "organiser", "event_manager", "admin", "monitoring"}
INPUTS = {"none", "raw", "form", "json", "multipart", "stream"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
SIGNED_IN = {"organiser", "event_manager", "admin"}
ACCESS_CODES = {"forbidden", "admin_only", "token_required", "unauthorized"}

EVENT = {
    "title": "Форум „Достъп“",
    "kind": "forum",
    "starts_at": "2031-09-10T10:00:00+03:00",
    "ends_at": "2031-09-10T17:00:00+03:00",
    "venue": "Зала „Родина“",
    "city": "Русе",
    "capacity": 50,
    "registration_mode": "open",
    "materials_visibility": "public",
    "public_participants": True,
    "organisers": ["Община Русе"],
}


def text_of(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    part = msg.get_body(preferencelist=("plain",))
    return part.get_content()


def classify(r):
    """(status, code): the error code from a JSON error or an error page, or a redirect's kind."""
    code = ""
    if r.status in (301, 302, 303) and (r.header("Location") or "").startswith("/login"):
        code = "login"
    elif r.status >= 400:
        ctype = r.header("Content-Type") or ""
        if "json" in ctype:
            try:
                code = r.json()["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = ""
        elif "html" in ctype:
            m = re.search(r'data-error="([a-z_]+)"', r.body.decode("utf-8", "replace"))
            code = m.group(1) if m else ""
    return r.status, code


def passed(r):
    """The call got past the access check (whatever the handler then said)."""
    status, code = classify(r)
    if code == "login" or status == 401 or code in ACCESS_CODES:
        return False
    return not (status == 404 and code == "not_found")


class RouteAccessTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sink = Sink()
        cls.s = s = Server(env={"SABOR_MAIL_SMTP_URL": cls.sink.url, "SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "0",
                                "SABOR_LIMITS_LOGINS_PER_MINUTE": "0"})
        cls.tokens = {"manager": add_organiser(s, "manager@ruse.bg", "Мария Стоянова"),
                      "other": add_organiser(s, "other@varna.bg", "Иван Колев")}
        s.cli("user", "add", "--email", "admin@ruse.bg", "--name", "Админ", "--role", "admin", stdin="password-123\n")
        cls.tokens["admin"] = s.cli("token", "create", "--email", "admin@ruse.bg").stdout.strip()
        cls.browsers = {}
        for who, addr in (("manager", "manager@ruse.bg"), ("other", "other@varna.bg"), ("admin", "admin@ruse.bg")):
            b = Browser(s, lang="bg")
            b.login(addr, "password-123")
            cls.browsers[who] = b

        def api(method, path, body=None, headers=None):
            r = api_request(s, cls.tokens["manager"], method, path, body, headers)
            assert r.status < 300, (method, path, r.status, r.text)
            return r.json() if r.body else None

        pub = api("POST", "/api/v1/events", EVENT)
        api("POST", f"/api/v1/events/{pub['id']}/publish")
        draft = api("POST", "/api/v1/events", dict(EVENT, title="Чернова"))
        pid = pub["id"]
        # A speaker with a photo, through the organisers' form as organisers add one.
        m = cls.browsers["manager"]
        speakers = f"/admin/events/{pid}/programme/speakers"
        body, ctype = form_with_files([("csrf_token", Browser.csrf(m.get(speakers + "/new"))), ("name", "Мария Петрова")],
                                      [("photo", "p.png", "image/png", png_bytes())])
        r = s.request("POST", speakers + "/new", body=body, headers=m._headers({"Content-Type": ctype}))
        assert r.status == 303, (r.status, r.text)
        speaker = s.sql("SELECT id FROM speakers WHERE name = 'Мария Петрова'")[0][0]
        session = api("POST", f"/api/v1/events/{pid}/sessions",
                      {"title": "Откриване", "starts_at": "2031-09-10T10:00:00+03:00",
                       "ends_at": "2031-09-10T11:00:00+03:00"})["id"]
        talk = api("POST", f"/api/v1/events/{pid}/talks",
                   {"session_id": session, "title": "Достъпна среда", "speaker_ids": [speaker]})["id"]
        body, ctype = multipart([("file", make_pdf(), "slides.pdf", "application/pdf")])
        material = api("POST", f"/api/v1/talks/{talk}/materials", body, {"Content-Type": ctype})
        # The draft has a file too, so its archive exists for its manager.
        api("POST", f"/api/v1/events/{draft['id']}/materials", body, {"Content-Type": ctype})
        contact = api("POST", "/api/v1/contacts", {"name": "Петя Иванова", "email": "petya@ruse.bg",
                                                   "organisation": "Община Русе", "tags": ["кметове"]})["id"]
        api("POST", f"/api/v1/events/{pid}/invitations",
            {"tag": "кметове", "subject": "Покана: {{event_title}}", "body": "Здравейте, {{name}}!\n\n{{link}}"})
        reg = s.request("POST", f"/api/v1/events/{pid}/registrations",
                        body={"name": "Георги Димов", "email": "georgi@ruse.bg", "organisation": "НПО „Дунав“",
                              "consent": True}).json()
        mails = [text_of(raw) for _sender, _to, raw in cls.sink.wait_for(2)]
        joined = "\n".join(mails)
        card = re.search(r"/card/([A-Za-z0-9_.~-]+)", joined)
        invitation = re.search(r"/i/([A-Za-z0-9_-]+)", joined)
        unsubscribe = re.search(r"/u/([A-Za-z0-9_-]+)", joined)
        assert card and invitation and unsubscribe, joined
        other_id = s.sql("SELECT id FROM users WHERE email = 'other@varna.bg'")[0][0]
        cls.values = {
            "events": (str(pid), str(draft["id"])),
            "slug": (pub["slug"], draft["slug"]),
            "speakers": str(speaker), "sessions": str(session), "talks": str(talk),
            "materials": str(material["id"]), "filename": material.get("filename") or "slides.pdf",
            "registrations": str(reg["id"]) if "id" in reg else str(s.sql("SELECT id FROM registrations")[0][0]),
            "contacts": str(contact),
            "users": str(other_id),
            "tokens": str(s.sql("SELECT id FROM api_tokens WHERE user_id = ?", other_id)[0][0]),
            "mail": str(s.sql("SELECT id FROM mail_outbox ORDER BY id LIMIT 1")[0][0]),
            "invitation-campaigns": str(s.sql("SELECT id FROM invitation_campaigns")[0][0]),
            "mail-texts": "registration_confirmed",
            "card": card.group(1), "checkin": card.group(1),
            "r": reg["manage_url"].rsplit("/", 1)[1], "i": invitation.group(1), "u": unsubscribe.group(1),
            "v": None,  # no verify-mode registration here: only unknown tokens
            "reset": None,  # a password reset link: only unknown tokens here (test_password_reset has real ones)
            "static": "css/sabor.css",
        }
        lines = s.cli("routes").stdout.splitlines()
        cls.routes = [tuple(line.split(" ")) for line in lines]

    @classmethod
    def tearDownClass(cls):
        cls.s.close()
        cls.sink.stop()

    # ---- filling a path ----

    def fill(self, pattern, draft=False, real_tokens=True):
        """The path with every parameter filled; None when the route has no draft variant."""
        segments = pattern.strip("/").split("/")
        out = []
        for i, seg in enumerate(segments):
            if not (seg.startswith("{") and seg.endswith("}")):
                out.append(seg)
                continue
            name = seg[1:-1]
            before = segments[i - 1] if i else ""
            if name == "*path":
                value = self.values["static"]
            elif name == "slug":
                value = self.values["slug"][1 if draft else 0]
            elif name == "filename":
                value = self.values["filename"]
            elif before == "events":
                value = self.values["events"][1 if draft else 0]
            elif before in ("r", "i", "u", "v", "card", "reset"):
                value = self.values[before] if real_tokens and self.values[before] else "unknown-link-0000000000"
            elif before in self.values:
                value = self.values[before]
            else:
                self.fail(f"{pattern}: no value for {{{name}}} after /{before}/ (add it to the test's values)")
            out.append(urllib.parse.quote(value, safe=""))
        return "/" + "/".join(out)

    @staticmethod
    def about_event_only(pattern):
        """The route's only parameter is its event ({id} after /events/, or {slug})."""
        params = re.findall(r"\{[^}]+\}", pattern)
        return len(params) == 1 and ("/events/{id}" in pattern or params[0] == "{slug}")

    @staticmethod
    def names_event(pattern):
        """The path names its event itself; otherwise an object in it names it (a talk, a registration)."""
        return "/events/{id}" in pattern or "{slug}" in pattern

    # ---- calling ----

    def call(self, who, method, path, inp, session_only=False):
        headers = {}
        is_api = path.startswith("/api/")
        if who in self.tokens and is_api and not session_only:
            headers["Authorization"] = "Bearer " + self.tokens[who]
        elif who in self.browsers:
            b = self.browsers[who]
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in b.cookies.items())
        body = None
        if method in UNSAFE:
            # Input the framework refuses after the access check: an allowed caller gets that
            # refusal (CSRF, 415) instead of changing anything.
            if inp == "form":
                body, headers["Content-Type"] = "note=1", "application/x-www-form-urlencoded"
            elif inp in ("json", "multipart", "stream"):
                body, headers["Content-Type"] = "x", "text/plain"
        return self.s.request(method, path, body=body, headers=headers)

    def expect_refused(self, r, route, who, want):
        status, code = classify(r)
        ok = {"login": code == "login" or status == 401,
              "404": status == 404 and code == "not_found",
              "link_404": status == 404,  # a personal link's own message (bad_link, invitation_invalid)
              "forbidden": status == 403 and code == "forbidden",
              "admin_only": status == 403 and code == "admin_only",
              "token_required": status == 403 and code == "token_required"}[want]
        self.assertTrue(ok, f"{' '.join(route)} as {who}: wanted {want}, got {status} {code}")

    def expect_passed(self, r, route, who, draft=False):
        self.assertTrue(passed(r), f"{' '.join(route)} as {who}: refused {classify(r)}")
        if route[0] == "GET" and not draft:
            self.assertLess(r.status, 400, f"{' '.join(route)} as {who}: {r.status} {r.body[:300]!r}")

    def check(self, route, draft=False):
        method, pattern, acc, inp, _limit = route
        path_real = self.fill(pattern, draft)
        path_bogus = self.fill(pattern, draft, real_tokens=False)
        is_api = pattern.startswith("/api/")
        object_route = acc == "event_manager" and not self.names_event(pattern)
        # A DELETE (or another bare write) really happens: only the manager makes it, last.
        bare_write = method in UNSAFE and inp in ("none", "raw")
        allowed_once = ["manager"] if bare_write else ["manager", "admin"]
        if draft and method in UNSAFE:
            allowed_once = []

        if acc in ("anyone", "monitoring"):
            for who in ["anon", "other"] + allowed_once:
                self.expect_passed(self.call(who, method, path_real, inp), route, who)
        elif acc == "personal_link":
            for who in ("anon", "other", "manager"):
                self.expect_refused(self.call(who, method, path_bogus, inp), route, who, "link_404")
            if path_real != path_bogus:
                self.expect_passed(self.call("anon", method, path_real, inp), route, "participant")
        elif acc == "event_reader":
            for who in ("anon", "other"):
                r = self.call(who, method, path_real, inp)
                if draft:
                    self.expect_refused(r, route, who, "404")
                else:
                    self.expect_passed(r, route, who)
            for who in allowed_once:
                # A draft's public pages pass for its managers; the registration window may still say no.
                self.expect_passed(self.call(who, method, path_real, inp), route, who, draft)
        elif acc in SIGNED_IN:
            self.expect_refused(self.call("anon", method, path_real, inp), route, "anon", "login")
            if acc == "admin":
                self.expect_refused(self.call("other", method, path_real, inp), route, "other", "admin_only")
                self.expect_refused(self.call("manager", method, path_real, inp), route, "manager", "admin_only")
                allowed_once = [w for w in allowed_once if w == "admin"]
                if bare_write:
                    allowed_once = ["admin"]
            elif acc == "event_manager":
                want = "404" if draft or object_route else "forbidden"
                self.expect_refused(self.call("other", method, path_real, inp), route, "other", want)
            else:
                self.expect_passed(self.call("other", method, path_real, inp), route, "other")
                if bare_write:
                    allowed_once = []  # done by "other": the address book is every organiser's
            if is_api and method in UNSAFE:
                # A browser session may read through the API, never write: that needs a token.
                who = "admin" if acc == "admin" else "manager"
                self.expect_refused(self.call(who, method, path_real, inp, session_only=True), route, who,
                                    "token_required")
            for who in allowed_once:
                self.expect_passed(self.call(who, method, path_real, inp), route, who)
        else:
            self.fail(f"{' '.join(route)}: unknown access")

    def test_the_table_is_the_one_reviewed(self):
        # route_table.txt is the table as reviewed: a new route, or a change of who may call
        # one, shows in the diff of that file, and this test fails until it is there.
        with open(os.path.join(os.path.dirname(__file__), "route_table.txt"), encoding="utf-8") as f:
            reviewed = [tuple(line.split(" ")) for line in f.read().splitlines() if line.strip()]
        added = sorted(set(self.routes) - set(reviewed))
        gone = sorted(set(reviewed) - set(self.routes))
        self.assertEqual((added, gone), ([], []),
                         "sabor routes differs from tests/integration/route_table.txt "
                         "(update it with: sabor routes > tests/integration/route_table.txt)")

    def test_every_route_declares_its_access_and_input(self):
        self.assertGreater(len(self.routes), 100)
        for route in self.routes:
            self.assertEqual(len(route), 5, route)
            self.assertIn(route[2], ACCESS, f"{route[0]} {route[1]} does not declare who may call it")
            self.assertIn(route[3], INPUTS, route)
            if route[0] in UNSAFE and route[3] != "none":
                self.assertGreater(int(route[4]), 0, f"{route[0]} {route[1]} takes a body without a limit")

    def test_each_answer_matches_the_declared_access(self):
        # Writes that really happen (DELETE and other bare writes) go last, so nothing the
        # other calls need is gone before them.
        # Among the DELETEs, what is inside goes before what holds it (a session takes its talks).
        holders = ["materials", "talks", "speakers", "sessions", "contacts", "events"]

        def rank(r):
            holder = next((i for i, h in enumerate(holders) if f"/{h}/" in r[1]), len(holders))
            return (r[0] in UNSAFE and r[3] in ("none", "raw"), r[0] == "DELETE", holder)

        ordered = sorted(self.routes, key=rank)
        for route in ordered:
            with self.subTest(route=" ".join(route[:3])):
                self.check(route)
                if self.about_event_only(route[1]) and route[2] in ("event_reader", "event_manager"):
                    self.check(route, draft=True)


if __name__ == "__main__":
    unittest.main()
