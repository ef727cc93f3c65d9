"""Issue 12: privacy of participants and hardening (the oracle, caching, the audit log, ...)."""
import os
import re
import resource
import signal
import subprocess
import tempfile
import time
import unittest

import harness
from harness import BIN, ROOT, Browser, EventMailTestCase, Server, add_organiser, api_request, run_cli
from test_materials import make_pdf, multipart

EVENT = {
    "title": "Форум „Данни“",
    "kind": "seminar",
    "starts_at": "2031-09-11T10:00:00+03:00",
    "ends_at": "2031-09-11T17:00:00+03:00",
    "venue": "Зала 1",
    "city": "Плевен",
    "capacity": 50,
    "registration_mode": "open",
    "organisers": ["Община Плевен"],
}


def person(i, **kw):
    p = {"name": f"Участник {i}", "email": f"p{i}@example.bg", "organisation": "Община Плевен", "consent": True}
    p.update(kw)
    return p


class RegistrationOracleTest(EventMailTestCase):
    organiser_email = "org@pleven.bg"
    event_fields = EVENT

    def mails_to(self, address):
        return [m for m in self.sink.handler.messages if m[1] == [address]]

    def test_an_anonymous_duplicate_looks_like_a_new_registration_and_mails_once_an_hour(self):
        first = self.register(person(1))
        self.assertEqual(first.status, 201, first.text)
        link = first.json()["manage_url"].replace("http://127.0.0.1:8080", "")
        self.sink.wait_for(1)
        for _ in range(5):
            again = self.register(person(1, email="P1@example.bg", name="Някой друг"))
            self.assertEqual(again.status, 201, again.text)
            self.assertEqual(again.json(), {"status": "received"})
            self.assertIsNone(again.header("Location"))
        self.sink.wait_for(2)
        self.s.round()
        mails = self.mails_to("p1@example.bg")
        self.assertEqual(len(mails), 2)  # the confirmation, then the link again once (not five times)
        # No link was retired: the first still opens the page, and nothing else changed.
        self.assertEqual(self.s.request("GET", link).status, 200)
        self.assertEqual(self.s.sql("SELECT name FROM registrations"), [("Участник 1",)])
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM registration_links")[0][0], 2)
        # The event's organiser, with a token, still sees the duplicate.
        r = self.api("POST", f"/api/v1/events/{self.event['id']}/registrations", person(1))
        self.assertEqual(r.status, 409)
        self.assertEqual(r.json()["error"]["code"], "already_registered")
        # Another organiser's token is a stranger here.
        self.s.cli("user", "add", "--email", "other@pleven.bg", "--name", "Друг", stdin="password-123\n")
        other = self.s.cli("token", "create", "--email", "other@pleven.bg").stdout.strip()
        r = self.s.request("POST", f"/api/v1/events/{self.event['id']}/registrations", body=person(1),
                           headers={"Authorization": "Bearer " + other})
        self.assertEqual((r.status, r.json()), (201, {"status": "received"}))

    def test_the_public_form_answers_a_known_address_like_a_new_one(self):
        slug = self.event["slug"]
        b = Browser(self.s)

        def send(email):
            form = b.get(f"/events/{slug}/register")
            return b.post(f"/events/{slug}/register", {"csrf_token": Browser.csrf(form), "name": "Мария Иванова",
                                                       "email": email, "consent": "1"})

        new = send("maria@example.bg")
        self.assertEqual(new.status, 201)
        self.sink.wait_for(1)
        again = send("maria@example.bg")
        self.assertEqual(again.status, 201)
        self.assertIn("Проверете пощата си", again.text)
        self.assertNotIn("Вече сте регистрирани", again.text)
        self.assertNotIn("/r/", again.text)
        self.assertIn("Изпратихме писмо до", again.text)
        send("maria@example.bg")
        self.sink.wait_for(2)
        self.s.round()
        self.assertEqual(len(self.mails_to("maria@example.bg")), 2)


class CachingTest(EventMailTestCase):
    organiser_email = "org@pleven.bg"
    event_fields = EVENT

    def test_personal_and_organiser_answers_are_not_stored_and_keep_their_referrer_policy(self):
        reg = self.register(person(2)).json()
        link = reg["manage_url"].replace("http://127.0.0.1:8080", "")
        page = self.s.request("GET", link)
        self.assertEqual(page.status, 200)
        self.assertEqual(page.header("Referrer-Policy"), "no-referrer")
        self.assertEqual(page.header("Cache-Control"), "no-store")
        for path in (f"/api/v1/events/{self.event['id']}/registrations",
                     "/api/v1/contacts"):
            r = self.api("GET", path)
            self.assertEqual(r.status, 200, path)
            self.assertEqual(r.header("Cache-Control"), "no-store", path)
        b = Browser(self.s)
        b.login(self.organiser_email, "password-123")
        for path in ("/admin", f"/admin/events/{self.event['id']}/registrations", "/admin/contacts"):
            r = b.get(path)
            self.assertEqual(r.status, 200, path)
            self.assertEqual(r.header("Cache-Control"), "no-store", path)
            self.assertEqual(r.header("Referrer-Policy"), "strict-origin-when-cross-origin")
        # Refusals too: an unknown personal link, the API without a token.
        self.assertEqual(self.s.request("GET", "/r/nothing-here").header("Cache-Control"), "no-store")
        self.assertEqual(self.s.request("GET", "/api/v1/contacts").header("Cache-Control"), "no-store")
        # A public page stays cacheable.
        public = self.s.request("GET", f"/events/{self.event['slug']}")
        self.assertEqual(public.status, 200)
        self.assertNotEqual(public.header("Cache-Control"), "no-store")


class ResendThrottleTest(EventMailTestCase):
    organiser_email = "org@pleven.bg"
    event_fields = EVENT

    def test_resend_and_announcement_skip_people_told_within_the_hour(self):
        for i in range(3):
            self.assertEqual(self.api("POST", "/api/v1/contacts", {"name": f"Кмет {i}", "email": f"mayor{i}@example.bg",
                                                                   "tags": ["кметове"]}).status, 201)
        eid = self.event["id"]
        r = self.api("POST", f"/api/v1/events/{eid}/invitations", {"tag": "кметове", "subject": "Покана", "body": "{{link}}"})
        self.assertEqual(r.status, 201, r.text)
        self.sink.wait_for(3)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.s.sql("SELECT COUNT(*) FROM mail_outbox WHERE status = 'sent'")[0][0] < 3:
            time.sleep(0.1)
        for _ in range(3):
            r = self.api("POST", f"/api/v1/events/{eid}/invitations/resend", {})
            self.assertEqual(r.json(), {"resent": 0, "skipped": 0, "skipped_recent": 3})
        self.s.round()
        self.assertEqual(len(self.sink.handler.messages), 3)
        # An hour later they may be reminded once.
        self.s.sql("UPDATE invitation_links SET created_at = '2000-01-01T00:00:00Z'")
        self.assertEqual(self.api("POST", f"/api/v1/events/{eid}/invitations/resend", {}).json()["resent"], 3)
        self.assertEqual(self.api("POST", f"/api/v1/events/{eid}/invitations/resend", {}).json()["resent"], 0)

        # "The presentations are online": the same rule.
        self.register(person(7))
        body, ctype = multipart([("file", make_pdf(), "Доклад.pdf", "application/pdf")])
        r = self.s.request("POST", f"/api/v1/events/{eid}/materials", body=body,
                           headers={"Authorization": "Bearer " + self.token, "Content-Type": ctype})
        self.assertEqual(r.status, 201, r.text)
        self.api("PATCH", f"/api/v1/events/{eid}/materials/settings", {"materials_visibility": "registered"})
        first = self.api("POST", f"/api/v1/events/{eid}/materials/announce", {"audience": "registered"}).json()
        self.assertEqual((first["queued"], first["skipped_recent"]), (1, 0))
        again = self.api("POST", f"/api/v1/events/{eid}/materials/announce", {"audience": "registered"}).json()
        self.assertEqual((again["queued"], again["skipped_recent"]), (0, 1))


class AuditTest(EventMailTestCase):
    organiser_email = "org@pleven.bg"
    event_fields = EVENT

    def test_changes_to_contacts_are_logged_and_admins_read_the_log(self):
        c = self.api("POST", "/api/v1/contacts", {"name": "Иван", "email": "ivan@example.bg"}).json()
        self.api("PATCH", f"/api/v1/contacts/{c['id']}", {"phone": "0888 123 456", "tags": ["НПО"]})
        b = Browser(self.s)
        b.login(self.organiser_email, "password-123")
        page = b.get("/admin/contacts")
        b.post("/admin/contacts/bulk", {"csrf_token": Browser.csrf(page), "bulk_action": "tag", "tag": "кметове",
                                        "ids": str(c["id"])})
        rows = self.s.sql("SELECT action, subject_id, detail FROM audit_log WHERE action LIKE 'contacts.%' ORDER BY id")
        self.assertEqual(rows, [("contacts.create", c["id"], ""), ("contacts.edit", c["id"], "phone, tags"),
                                ("contacts.tag", c["id"], "кметове")])
        # A participant's own change is logged too, without an account.
        reg = self.register(person(3)).json()
        link = reg["manage_url"].replace("http://127.0.0.1:8080", "")
        pb = Browser(self.s)
        mp = pb.get(link)
        self.assertEqual(pb.post(link, {"csrf_token": Browser.csrf(mp), "name": "Участник Трети"}).status, 200)

        # The log is for admins only.
        r = self.api("GET", "/api/v1/audit")
        self.assertEqual((r.status, r.json()["error"]["code"]), (403, "admin_only"))
        self.assertEqual(b.get("/admin/audit").status, 403)
        self.s.cli("user", "add", "--email", "admin@pleven.bg", "--name", "Админ", "--role", "admin", stdin="password-123\n")
        admin = self.s.cli("token", "create", "--email", "admin@pleven.bg").stdout.strip()
        r = api_request(self.s, admin, "GET", "/api/v1/audit?limit=2")
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.header("Cache-Control"), "no-store")
        self.assertEqual(r.json()["total"], 4)
        self.assertEqual([i["action"] for i in r.json()["items"]], ["registration.self_edit", "contacts.tag"])
        self_edit = r.json()["items"][0]
        self.assertIsNone(self_edit["actor"])
        self.assertEqual((self_edit["event_id"], self_edit["subject_id"]), (self.event["id"], reg["id"]))
        r = api_request(self.s, admin, "GET", "/api/v1/audit?actor=org@pleven.bg&offset=1")
        self.assertEqual(r.json()["total"], 3)
        self.assertEqual([i["action"] for i in r.json()["items"]], ["contacts.edit", "contacts.create"])
        self.assertEqual(r.json()["items"][0]["actor"]["email"], "org@pleven.bg")
        r = api_request(self.s, admin, "GET", f"/api/v1/audit?event_id={self.event['id']}")
        self.assertEqual([i["action"] for i in r.json()["items"]], ["registration.self_edit"])
        self.assertEqual(api_request(self.s, admin, "GET", "/api/v1/audit?since=2999-01-01").json()["total"], 0)
        self.assertEqual(api_request(self.s, admin, "GET", "/api/v1/audit?since=2000-01-01").json()["total"], 4)
        for bad in ("since=%D0%B2%D1%87%D0%B5%D1%80%D0%B0", "actor=nobody@example.bg", "event_id=x"):
            self.assertEqual(api_request(self.s, admin, "GET", "/api/v1/audit?" + bad).status, 422, bad)
        ab = Browser(self.s)
        ab.login("admin@pleven.bg", "password-123")
        page = ab.get("/admin/audit?actor=org%40pleven.bg")
        self.assertEqual(page.status, 200)
        self.assertIn("Дневник на промените", page.text)
        self.assertIn("contacts.edit", page.text)
        self.assertNotIn("registration.self_edit", page.text)
        self.assertIn('href="/admin/audit"', page.text)


class LimitedServer(Server):
    """A server whose files may grow to `fsize` bytes (RLIMIT_FSIZE): a full disk, unprivileged."""

    def __init__(self, fsize, **kw):
        self.fsize = fsize
        super().__init__(**kw)

    def _start(self):
        real = subprocess.Popen
        limit = self.fsize

        def limited(*a, **kw):
            kw["preexec_fn"] = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
            return real(*a, **kw)

        harness.subprocess.Popen = limited
        try:
            super()._start()
        finally:
            harness.subprocess.Popen = real


class DiskFullUploadTest(unittest.TestCase):
    def test_an_upload_that_finds_the_disk_full_answers_507_in_json_and_logs_why(self):
        s = LimitedServer(2 * 1024 * 1024)
        try:
            token = add_organiser(s, "org@pleven.bg")
            ev = api_request(s, token, "POST", "/api/v1/events", EVENT).json()
            body, ctype = multipart([("file", make_pdf() + b"0" * (3 * 1024 * 1024), "Голям.pdf", "application/pdf")])
            r = api_request(s, token, "POST", f"/api/v1/events/{ev['id']}/materials", body, {"Content-Type": ctype})
            self.assertEqual(r.status, 507, r.text)
            self.assertEqual(r.json()["error"]["code"], "no_space")
            self.assertIn("Няма място", r.json()["error"]["message"])
            # Still serving, the temporary file gone.
            self.assertEqual(s.request("GET", "/healthz").status, 200)
            tmp = os.path.join(s.data_dir, "materials", "tmp")
            self.assertEqual([f for f in os.listdir(tmp)] if os.path.isdir(tmp) else [], [])
            s.stop()
            log = s.proc.stderr.read()
            self.assertRegex(log, r"cannot write \S+: File too large")
        finally:
            s.close()


class DatabaseLostTest(unittest.TestCase):
    def test_a_deleted_database_is_noticed_writes_refused_and_serve_will_not_start_empty(self):
        s = Server(env={"SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "0"})
        try:
            token = add_organiser(s, "org@pleven.bg")
            ev = api_request(s, token, "POST", "/api/v1/events", EVENT).json()
            api_request(s, token, "POST", f"/api/v1/events/{ev['id']}/publish")
            self.assertEqual(s.request("POST", f"/api/v1/events/{ev['id']}/registrations", body=person(1)).status, 201)
            self.assertEqual(s.request("GET", "/healthz").status, 200)
            os.remove(s.db_path)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and s.request("GET", "/healthz").status == 200:
                time.sleep(0.2)
            self.assertEqual(s.request("GET", "/healthz").status, 503)
            r = s.request("POST", f"/api/v1/events/{ev['id']}/registrations", body=person(2))
            self.assertEqual(r.status, 503)
            self.assertEqual(r.json()["error"]["code"], "database_lost")
            self.assertEqual(s.request("GET", f"/events/{ev['slug']}").status, 200)  # reading goes on
            s.stop()
            self.assertIn("was deleted", s.proc.stderr.read())
            # The mail folder still holds the registration's message: serve refuses to start empty.
            for f in ("sabor.db-wal", "sabor.db-shm"):
                if os.path.exists(os.path.join(s.data_dir, f)):
                    os.remove(os.path.join(s.data_dir, f))
            self.assertTrue(os.listdir(os.path.join(s.data_dir, "mail")))
            p = subprocess.run([BIN, "serve", "--data-dir", s.data_dir, "--listen", "127.0.0.1:0"], capture_output=True,
                               text=True, cwd=ROOT, timeout=30)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("no database at", p.stderr)
            self.assertIn("sabor migrate", p.stderr)
            self.assertFalse(os.path.exists(s.db_path))
            run_cli(s.data_dir, "migrate")  # which may
            self.assertTrue(os.path.exists(s.db_path))
        finally:
            s.close()


class ConfigTest(unittest.TestCase):
    def start(self, env=None, config=None):
        d = tempfile.mkdtemp()
        args = [BIN, "serve", "--data-dir", d, "--listen", "127.0.0.1:0"]
        if config is not None:
            path = os.path.join(d, "sabor.toml")
            with open(path, "w") as f:
                f.write(config)
            args += ["--config", path]
        e = dict(os.environ)
        e.update(env or {})
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=e)
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            self.fail("the server started: " + out)
        self.assertNotEqual(p.returncode, 0)
        return err.strip()

    def test_gaps_in_validation_stop_the_start_with_one_sentence_naming_the_key(self):
        cases = [
            ({"SABOR_LIMITS_LOGINS_PER_MINUTE": "-1"}, None, "[limits] logins_per_minute"),
            (None, "[limits]\nregistrations_per_minute = -5\n", "[limits] registrations_per_minute"),
            ({"SABOR_UPLOADS_ALLOWED_TYPES": "pdf,exe"}, None, "[uploads] allowed_types"),
            (None, '[uploads]\nallowed_types = ["pdf", "html"]\n', "\"html\""),
            ({"SABOR_SERVER_PUBLIC_URL": "https://sabor.example.bg\r\nX-Evil: 1"}, None, "[server] public_url"),
            (None, '[server]\npublic_url = "https://a.bg/\\nx"\n', "[server] public_url"),
            ({"SABOR_SERVER_LISTN": "127.0.0.1:1"}, None, "SABOR_SERVER_LISTN"),
            ({"SABOR_MAIL_SMTP": "smtp://x"}, None, "SABOR_MAIL_SMTP"),
        ]
        for env, config, key in cases:
            err = self.start(env, config)
            self.assertIn(key, err, (env, config))
            self.assertEqual(len(err.splitlines()), 1, err)

    @unittest.skipUnless(hasattr(os, "setuid"), "needs POSIX users")
    def test_a_read_only_data_folder_names_the_file_and_the_cause(self):
        d = tempfile.mkdtemp()
        run_cli(d, "migrate")
        os.chmod(d, 0o555)
        os.chmod(os.path.join(d, "sabor.db"), 0o444)
        as_nobody = None
        if os.geteuid() == 0:  # root writes anywhere: run as nobody

            def as_nobody():
                os.setgid(65534)
                os.setuid(65534)
        p = subprocess.run([BIN, "serve", "--data-dir", d, "--listen", "127.0.0.1:0"], capture_output=True, text=True,
                           cwd=ROOT, timeout=30, preexec_fn=as_nobody)
        os.chmod(d, 0o755)
        self.assertNotEqual(p.returncode, 0, p.stdout)
        self.assertIn(d, p.stderr)
        self.assertIn("Permission denied", p.stderr)
