"""Mail that is never lost: the outbox, SMTP through libcurl, MIME in Bulgarian, retries, crashes."""
import email.header
import glob
import os
import signal
import time
import unittest

from harness import Server
from smtp_sink import Sink, free_port

RETRY = {"SABOR_MAIL_RETRY_FIRST_SECONDS": "1", "SABOR_MAIL_FROM": "Община Русе <events@ruse.bg>"}


def admin(server):
    server.cli("user", "add", "--email", "admin@ruse.bg", "--name", "Админ", "--role", "admin", stdin="password-123\n")
    return server.cli("token", "create", "--email", "admin@ruse.bg").stdout.strip()


def queue_test(server, token, to, lang="bg"):
    r = server.request("POST", "/api/v1/mail/test", {"to": to},
                       headers={"Authorization": "Bearer " + token, "Accept-Language": lang})
    assert r.status == 202, r.text
    return r.json()["id"]


def outbox(server):
    return {row[0]: row[1:] for row in server.sql("SELECT id, status, attempts, last_error FROM mail_outbox")}


def wait_status(server, mail_id, status, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = outbox(server).get(mail_id)
        if row and row[0] == status:
            return row
        time.sleep(0.1)
    raise AssertionError(f"message {mail_id} is {outbox(server).get(mail_id)}, not {status}")


class DeliveryTest(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        self.s = Server(env=dict(RETRY, SABOR_MAIL_SMTP_URL=self.sink.url))
        self.token = admin(self.s)

    def tearDown(self):
        self.s.close()
        self.sink.stop()

    def test_a_test_round_delivers_what_another_process_queued(self):
        # The CLI's commit cannot wake the server's worker, which looks once a second; the test
        # hook's round answers only after it has handed the message to the SMTP server.
        self.s.cli("mail", "test", "--to", "round@example.bg")
        self.s.round()
        self.assertEqual([rc for _, rc, _ in self.sink.handler.messages], [["round@example.bg"]])

    def test_a_test_message_arrives_as_valid_utf8_mime(self):
        mail_id = queue_test(self.s, self.token, "Ivana.Petrova@example.bg")
        (sender, rcpts, raw), = self.sink.wait_for(1)
        self.assertEqual(sender, "events@ruse.bg")
        self.assertEqual(rcpts, ["ivana.petrova@example.bg"])
        head = raw.split(b"\r\n\r\n", 1)[0]
        head.decode("ascii")  # headers are 7-bit
        self.assertTrue(all(len(line) <= 998 for line in raw.split(b"\r\n")))
        msg = Sink.parse(raw)
        self.assertEqual(str(msg["Subject"]), "Пробно съобщение от Събор")
        self.assertEqual(msg["From"].addresses[0].display_name, "Община Русе")
        self.assertIn("@ruse.bg>", msg["Message-ID"])
        self.assertIsNotNone(msg["Date"])
        self.assertEqual(msg["MIME-Version"], "1.0")
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        plain = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        self.assertIn("Това е пробно съобщение от Събор", plain)
        self.assertIn("Админ <admin@ruse.bg>", plain)  # plain text is not HTML-escaped
        self.assertIn("Админ &lt;admin@ruse.bg&gt;", html)
        self.assertIn("<strong>Събор</strong>", html)
        row = wait_status(self.s, mail_id, "sent")
        self.assertEqual(row[1], 1)
        stored = self.s.sql("SELECT message_id FROM mail_outbox WHERE id = ?", mail_id)[0][0]
        self.assertIn(stored, msg["Message-ID"])

    def test_english_and_one_connection_for_consecutive_messages(self):
        for i in range(5):
            queue_test(self.s, self.token, f"p{i}@example.bg", lang="en")
        msgs = self.sink.wait_for(5)
        self.assertEqual(str(Sink.parse(msgs[0][2])["Subject"]), "Test message from Събор")
        self.assertLessEqual(self.sink.handler.connections, 2)

    def test_a_4xx_answer_is_retried_until_delivered(self):
        self.sink.handler.script = ["451 4.3.0 try again later", "452 4.2.2 mailbox full for now"]
        mail_id = queue_test(self.s, self.token, "x@example.bg")
        self.sink.wait_for(1, timeout=30)
        row = wait_status(self.s, mail_id, "sent")
        self.assertEqual(row[1], 3)

    def test_a_connection_dropped_mid_message_is_retried(self):
        self.sink.handler.drop_next = 1
        mail_id = queue_test(self.s, self.token, "x@example.bg")
        self.sink.wait_for(1, timeout=30)
        self.assertEqual(wait_status(self.s, mail_id, "sent")[1], 2)

    def test_a_5xx_answer_fails_at_once_with_the_servers_words(self):
        self.sink.handler.script = ["550 5.1.1 no such user here"]
        mail_id = queue_test(self.s, self.token, "nobody@example.bg")
        row = wait_status(self.s, mail_id, "failed")
        self.assertEqual(row[1], 1)
        self.assertIn("550", row[2])
        self.assertIn("no such user here", row[2])
        self.s.round()
        self.assertEqual(len(self.sink.handler.messages), 0)
        # An admin resends it; now the server accepts.
        r = self.s.request("POST", f"/api/v1/mail/{mail_id}/resend", headers={"Authorization": "Bearer " + self.token})
        self.assertEqual(r.status, 200)
        self.sink.wait_for(1)
        wait_status(self.s, mail_id, "sent")

    def test_the_queue_is_visible_to_admins_only(self):
        mail_id = queue_test(self.s, self.token, "x@example.bg")
        wait_status(self.s, mail_id, "sent")
        r = self.s.request("GET", "/api/v1/mail", headers={"Authorization": "Bearer " + self.token})
        item = r.json()["items"][0]
        self.assertEqual(item["to"], "x@example.bg")
        self.assertEqual(item["status"], "sent")
        self.assertEqual(item["subject"], "Пробно съобщение от Събор")
        self.assertEqual(self.s.request("GET", "/api/v1/mail").status, 401)
        self.s.cli("user", "add", "--email", "org@ruse.bg", "--name", "Орг", stdin="password-123\n")
        org = self.s.cli("token", "create", "--email", "org@ruse.bg").stdout.strip()
        r = self.s.request("GET", "/api/v1/mail", headers={"Authorization": "Bearer " + org})
        self.assertEqual((r.status, r.json()["error"]["code"]), (403, "admin_only"))
        r = self.s.request("POST", "/api/v1/mail/test", {"to": "x@example.bg"}, headers={"Authorization": "Bearer " + org})
        self.assertEqual((r.status, r.json()["error"]["code"]), (403, "admin_only"))
        metrics = self.s.request("GET", "/metrics").text
        self.assertIn("sabor_mail_sent 1", metrics)
        self.assertIn("sabor_mail_queue_depth 0", metrics)

    def test_hostile_addresses_are_refused_and_nothing_is_queued(self):
        for to in ["x@example.bg\r\nBcc: evil@example.com", "not-an-address", "<x@y.bg>", "a b@example.bg", ""]:
            r = self.s.request("POST", "/api/v1/mail/test", {"to": to}, headers={"Authorization": "Bearer " + self.token})
            self.assertEqual(r.status, 422, to)
            self.assertIn("to", r.json()["error"]["fields"])
        r = self.s.request("POST", "/api/v1/mail/test", {"to": 5}, headers={"Authorization": "Bearer " + self.token})
        self.assertEqual(r.status, 422)
        self.assertEqual(outbox(self.s), {})


class RateAndPagesTest(unittest.TestCase):
    def test_the_rate_limit_spaces_messages(self):
        sink = Sink()
        s = Server(env=dict(RETRY, SABOR_MAIL_SMTP_URL=sink.url, SABOR_MAIL_RATE="60"))
        try:
            token = admin(s)
            for i in range(4):
                queue_test(s, token, f"p{i}@example.bg")
            sink.wait_for(4, timeout=20)
            times = [t for (t,) in s.sql("SELECT sent_at FROM mail_outbox ORDER BY id")]
            self.assertEqual(len(times), 4)
            # 60 a minute is one a second: the four sends start at least three seconds apart
            # in all. sent_at is stamped in whole seconds when a send ends, and the first send
            # also opens the connection, so allow one second of that.
            stamps = sorted(self.seconds(t) for t in times)
            self.assertGreaterEqual(stamps[-1] - stamps[0], 2)
        finally:
            s.close()
            sink.stop()

    @staticmethod
    def seconds(iso):
        import datetime
        return datetime.datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()

    def test_admin_page_lists_the_queue_and_sends_a_test(self):
        from harness import Browser
        s = Server(env={"SABOR_MAIL_SMTP_URL": ""})
        try:
            admin(s)
            b = Browser(s)
            b.login("admin@ruse.bg", "password-123")
            page = b.get("/admin/mail")
            self.assertEqual(page.status, 200)
            self.assertIn("Изходяща поща", page.text)
            r = b.post("/admin/mail/test", {"to": "ivan@example.bg", "csrf_token": Browser.csrf(page)})
            self.assertEqual(r.status, 303)
            mail_id = s.sql("SELECT id FROM mail_outbox")[0][0]
            wait_status(s, mail_id, "sent")
            page = b.get("/admin/mail")
            self.assertIn("ivan@example.bg", page.text)
            self.assertIn("Пробно съобщение от Събор", page.text)
            r = b.post(f"/admin/mail/{mail_id}/resend", {"csrf_token": Browser.csrf(page)})
            self.assertEqual(r.status, 303)
            # One that cannot be sent again: back to the list with the reason, not a bare error page.
            r = b.post("/admin/mail/999999/resend", {"csrf_token": Browser.csrf(page)})
            self.assertEqual((r.status, r.header("Location")), (303, "/admin/mail?error=cannot_resend"))
            self.assertIn("не може да бъде изпратено отново", b.get(r.header("Location")).text)
            self.assertEqual(b.post("/admin/mail/test", {"to": "x@example.bg"}).status, 403)  # no CSRF token
            r = b.post("/admin/mail/test", {"to": "bad\r\nBcc: x@y", "csrf_token": Browser.csrf(page)})
            self.assertIn("error=bad_address", r.header("Location"))
            # An organiser who is not an admin is turned away.
            s.cli("user", "add", "--email", "org@ruse.bg", "--name", "Орг", stdin="password-123\n")
            o = Browser(s)
            o.login("org@ruse.bg", "password-123")
            self.assertEqual(o.get("/admin/mail").status, 403)
        finally:
            s.close()


class ServerDownTest(unittest.TestCase):
    def test_a_server_that_is_down_is_retried_until_it_comes_up(self):
        port = free_port()
        s = Server(env=dict(RETRY, SABOR_MAIL_SMTP_URL=f"smtp://127.0.0.1:{port}"))
        sink = None
        try:
            token = admin(s)
            mail_id = queue_test(s, token, "x@example.bg")
            deadline = time.monotonic() + 10
            while outbox(s)[mail_id][1] < 1 and time.monotonic() < deadline:
                time.sleep(0.1)
            status, attempts, error = outbox(s)[mail_id]
            self.assertEqual(status, "queued")
            self.assertGreaterEqual(attempts, 1)
            self.assertTrue(error)
            sink = Sink(port)
            sink.wait_for(1, timeout=30)
            wait_status(s, mail_id, "sent")
        finally:
            s.close()
            if sink:
                sink.stop()

    def test_kill_9_with_messages_queued_loses_none(self):
        port = free_port()
        env = dict(RETRY, SABOR_MAIL_SMTP_URL=f"smtp://127.0.0.1:{port}")
        s = Server(env=env)
        sink = None
        try:
            token = admin(s)
            ids = [queue_test(s, token, f"p{i}@example.bg") for i in range(20)]
            s.stop(signal.SIGKILL)
            self.assertTrue(all(outbox(s)[i][0] in ("queued", "sending") for i in ids))
            sink = Sink(port)
            s.restart()
            msgs = sink.wait_for(20, timeout=60)
            self.assertEqual(sorted(m[1][0] for m in msgs), sorted(f"p{i}@example.bg" for i in range(20)))
            for i in ids:
                wait_status(s, i, "sent")
        finally:
            s.close()
            if sink:
                sink.stop()


class FilesTest(unittest.TestCase):
    def test_without_smtp_messages_become_eml_files(self):
        s = Server(env={"SABOR_MAIL_SMTP_URL": ""})
        try:
            token = admin(s)
            mail_id = queue_test(s, token, "x@example.bg")
            wait_status(s, mail_id, "sent")
            files = glob.glob(os.path.join(s.data_dir, "mail", "*.eml"))
            self.assertEqual(len(files), 1)
            with open(files[0], "rb") as f:
                msg = Sink.parse(f.read())
            self.assertEqual(str(msg["Subject"]), "Пробно съобщение от Събор")
            self.assertEqual(str(msg["To"]), "x@example.bg")
            # Another process (the CLI) queues three more; the server's worker finds them.
            out = s.cli("mail", "test", "--to", "y@example.bg", "--count", "3").stdout
            self.assertIn("queued 3 message(s)", out)
            deadline = time.monotonic() + 15
            while len(glob.glob(os.path.join(s.data_dir, "mail", "*.eml"))) < 4 and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertEqual(len(glob.glob(os.path.join(s.data_dir, "mail", "*.eml"))), 4)
            self.assertFalse(glob.glob(os.path.join(s.data_dir, "mail", "*.tmp")))
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
