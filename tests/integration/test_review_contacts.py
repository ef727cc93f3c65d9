"""A hostile review of contacts, invitations, unsubscribing and the mail worker's batches:
each test here failed before the fix named in its docstring."""
import socket
import unittest

from harness import Server, add_organiser, api_request as api
from test_contacts import EVENT, UTF8_CSV


def closed_port():
    """A loopback port nobody listens on: every SMTP attempt fails at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ResendTest(unittest.TestCase):
    def setUp(self):
        # The SMTP server is away and the first retry is an hour off: messages stay queued.
        self.s = Server(env={"SABOR_MAIL_SMTP_URL": f"smtp://127.0.0.1:{closed_port()}",
                             "SABOR_MAIL_RETRY_FIRST_SECONDS": "3600"})
        self.token = add_organiser(self.s, "org@kardzhali.bg")
        ev = self.api("POST", "/api/v1/events", EVENT).json()
        self.api("POST", f"/api/v1/events/{ev['id']}/publish")
        self.eid = ev["id"]
        r = self.api("POST", "/api/v1/contacts/import", UTF8_CSV, {"Content-Type": "text/csv"})
        assert r.status == 200, r.text

    def tearDown(self):
        self.s.close()

    def api(self, method, path, body=None, headers=None):
        return api(self.s, self.token, method, path, body, headers)

    def test_resend_does_not_queue_a_second_message_while_the_first_waits(self):
        """Resend queued a new message (with a new link, killing the first one's) for
        invitations whose first message had not even left the outbox."""
        r = self.api("POST", f"/api/v1/events/{self.eid}/invitations",
                     {"tag": "общини в област Кърджали", "subject": "Покана", "body": "{{link}}"})
        self.assertEqual(r.status, 201, r.text)
        self.assertEqual(r.json()["counts"]["invited"], 3)
        hashes = sorted(h for (h,) in self.s.sql("SELECT token_hash FROM invitations"))
        r = self.api("POST", f"/api/v1/events/{self.eid}/invitations/resend", {})
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.json()["resent"], 0)
        self.assertEqual(self.s.sql("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'invitation'")[0][0], 3)
        self.assertEqual(sorted(h for (h,) in self.s.sql("SELECT token_hash FROM invitations")), hashes)


if __name__ == "__main__":
    unittest.main()
