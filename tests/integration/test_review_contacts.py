"""A hostile review of contacts, invitations, unsubscribing and the mail worker's batches:
each test here failed before the fix named in its docstring."""
import asyncio
import re
import socket
import sqlite3
import threading
import time
import unittest

from harness import Server, add_organiser, api_request as api
from smtp_sink import CountingController, Handler, free_port
import test_contacts
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

    def test_unsubscribing_stops_the_invitations_still_waiting_in_the_outbox(self):
        """An unsubscribe was checked only when a campaign was queued: a message already
        waiting in the outbox (a slow rate, a retry) still went out after the one click."""
        r = self.api("POST", f"/api/v1/events/{self.eid}/invitations",
                     {"tag": "общини в област Кърджали", "subject": "Покана", "body": "{{link}}"})
        self.assertEqual(r.status, 201, r.text)
        # The worker's first try fails at once and puts the messages back for an hour.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (self.s.sql("SELECT MAX(attempts) FROM mail_outbox")[0][0] < 1 or
                                               self.s.sql("SELECT COUNT(*) FROM mail_outbox WHERE status <> 'queued'")[0][0]):
            time.sleep(0.05)
        # Built by then: the link is in the stored message's List-Unsubscribe header.
        content = self.s.sql("SELECT content || recipe FROM mail_outbox WHERE to_address = 'yulia@kirkovo.bg'")[0][0]
        url = re.search(r"/u/[A-Za-z0-9_-]+", content if isinstance(content, str) else content.decode()).group(0)
        r = self.s.request("POST", url, "List-Unsubscribe=One-Click", {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(r.status, 200, r.text)
        rows = dict(self.s.sql("SELECT to_address, status FROM mail_outbox"))
        self.assertEqual(rows["yulia@kirkovo.bg"], "failed")
        self.assertEqual(rows["petya@kardzhali.bg"], "queued")  # only that address
        inv = {i["email"]: i for i in self.api("GET", f"/api/v1/events/{self.eid}/invitations").json()["items"]}
        self.assertEqual(inv["yulia@kirkovo.bg"]["status"], "failed")
        self.assertIn("unsubscribed", inv["yulia@kirkovo.bg"]["reason"])


class CancelledInviteeTest(test_contacts.InvitationTest):
    """The fixture of test_contacts.InvitationTest (real SMTP sink), only the test below."""

    def test_an_invitee_who_cancelled_is_not_counted_registered_and_may_come_back(self):
        """A cancelled registration still showed its invitation as 'registered', and the
        link, refused as used, shut the invitee out of the invitation-only event for good."""
        self.invite()
        msgs = self.delivered(3)
        token = self.token_in(msgs["petya@kardzhali.bg"])
        eid = self.event["id"]
        person = {"name": "Петя Стоянова", "email": "petya@kardzhali.bg", "consent": True, "invitation": token}
        r = self.s.request("POST", f"/api/v1/events/{eid}/registrations", person)
        self.assertEqual(r.status, 201, r.text)
        c = self.api("PATCH", f"/api/v1/registrations/{r.json()['id']}", {"status": "cancelled"})
        self.assertEqual(c.status, 200, c.text)
        self.assertNotEqual(self.invitations()["petya@kardzhali.bg"]["status"], "registered")
        camp = self.api("GET", f"/api/v1/events/{eid}/invitation-campaigns").json()["items"][0]
        self.assertEqual(camp["counts"]["registered"], 0)
        page = self.s.request("GET", "/i/" + token)
        self.assertIn(f'name="invitation" value="{token}"', page.text)  # the form again
        again = self.s.request("POST", f"/api/v1/events/{eid}/registrations", person)
        self.assertEqual(again.status, 201, again.text)
        self.assertEqual(self.invitations()["petya@kardzhali.bg"]["status"], "registered")
        self.assertEqual(self.invitations()["petya@kardzhali.bg"]["registration_id"], again.json()["id"])


def load_tests(loader, tests, pattern):
    """Only this file's tests: the imported InvitationTest is run by test_contacts.py."""
    suite = unittest.TestSuite()
    suite.addTests(loader.loadTestsFromTestCase(ResendTest))
    suite.addTest(CancelledInviteeTest("test_an_invitee_who_cancelled_is_not_counted_registered_and_may_come_back"))
    suite.addTests(loader.loadTestsFromTestCase(WorkerBatchTest))
    return suite


class LockingHandler:
    """Answers each DATA after 100 ms; at the first one, another process takes the
    database's write lock for 8 s (longer than the server's 5 s busy wait)."""
    def __init__(self, inner, db_path):
        self.inner, self.db_path, self.locked = inner, db_path, threading.Event()
        self.connections = 0

    def hold_lock(self):
        con = sqlite3.connect(self.db_path, isolation_level=None, timeout=10)
        con.execute("BEGIN IMMEDIATE")
        self.locked.set()
        time.sleep(8)
        con.execute("ROLLBACK")
        con.close()

    async def handle_DATA(self, server, session, envelope):
        if not self.locked.is_set():
            threading.Thread(target=self.hold_lock, daemon=True).start()
            self.locked.wait()
        await asyncio.sleep(0.1)
        return await self.inner.handle_DATA(server, session, envelope)


class WorkerBatchTest(unittest.TestCase):
    def test_a_failed_write_in_the_middle_of_a_batch_loses_nothing(self):
        """A database write that failed mid-batch left the batch's claimed messages in
        'sending' until the next restart: the rest were never sent, the sent never marked."""
        port = free_port()
        s = Server(env={"SABOR_MAIL_SMTP_URL": f"smtp://127.0.0.1:{port}", "SABOR_MAIL_RETRY_FIRST_SECONDS": "1"})
        inner = Handler()
        smtp = CountingController(LockingHandler(inner, s.db_path), hostname="127.0.0.1", port=port)
        smtp.start()
        try:
            token = add_organiser(s, "org@kardzhali.bg")
            for i in range(6):
                r = api(s, token, "POST", "/api/v1/contacts",
                        {"name": f"Кмет {i}", "email": f"kmet{i}@obshtina.bg", "tags": ["кметове"]})
                self.assertEqual(r.status, 201, r.text)
            ev = api(s, token, "POST", "/api/v1/events", EVENT).json()
            api(s, token, "POST", f"/api/v1/events/{ev['id']}/publish")
            r = api(s, token, "POST", f"/api/v1/events/{ev['id']}/invitations",
                    {"tag": "кметове", "subject": "Покана", "body": "{{link}}"})
            self.assertEqual(r.status, 201, r.text)
            deadline = time.monotonic() + 40
            rows = []
            while time.monotonic() < deadline:
                rows = s.sql("SELECT status FROM mail_outbox WHERE kind = 'invitation'")
                if rows and all(st == "sent" for (st,) in rows):
                    break
                time.sleep(0.2)
            self.assertEqual([st for (st,) in rows], ["sent"] * 6)
            got = sorted(rc[0] for (_, rc, _) in inner.messages)
            self.assertEqual(got, sorted(f"kmet{i}@obshtina.bg" for i in range(6)))  # each once
        finally:
            s.close()
            smtp.stop()


if __name__ == "__main__":
    unittest.main()
