"""Registration under stress: kill -9 during a burst loses no acknowledged registration; the per-address limit."""
import concurrent.futures
import glob
import re
import time
import unittest

from harness import Server, Browser, EventMailTestCase, add_organiser
from smtp_sink import Sink

from registration_data import EVENT, person


class CrashTest(unittest.TestCase):
    def test_kill_9_during_a_burst_loses_no_acknowledged_registration(self):
        import signal
        import threading
        s = Server(env={"SABOR_MAIL_SMTP_URL": "", "SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "0"})
        try:
            s.cli("user", "add", "--email", "org@ruse.bg", "--name", "Орг", stdin="password-123\n")
            token = s.cli("token", "create", "--email", "org@ruse.bg").stdout.strip()
            h = {"Authorization": "Bearer " + token}
            ev = s.request("POST", "/api/v1/events", dict(EVENT, capacity=0), headers=h).json()
            s.request("POST", f"/api/v1/events/{ev['id']}/publish", headers=h)
            acknowledged = []
            lock = threading.Lock()

            def burst(worker):
                for i in range(1000):
                    try:
                        r = s.request("POST", f"/api/v1/events/{ev['id']}/registrations",
                                      body=person(f"{worker}-{i}"), timeout=5)
                    except Exception:
                        return  # the server is gone
                    if r.status == 201:
                        with lock:
                            acknowledged.append(r.json()["email"])

            threads = [threading.Thread(target=burst, args=(w,)) for w in range(8)]
            for t in threads:
                t.start()
            time.sleep(1.5)
            s.stop(signal.SIGKILL)
            for t in threads:
                t.join()
            self.assertGreater(len(acknowledged), 20)
            self.assertEqual(s.sql("PRAGMA integrity_check")[0][0], "ok")
            stored = {e for (e,) in s.sql("SELECT email FROM registrations")}
            self.assertTrue(set(acknowledged) <= stored, set(acknowledged) - stored)
            # Every stored registration has its confirmation in the outbox: the same transaction.
            self.assertEqual(s.sql("SELECT COUNT(*) FROM registrations")[0][0],
                             s.sql("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'registration_confirmed'")[0][0])
        finally:
            s.close()


class RegistrationRateLimitTest(unittest.TestCase):
    def test_registrations_are_limited_per_address(self):
        s = Server(env={"SABOR_LIMITS_REGISTRATIONS_PER_MINUTE": "3", "SABOR_MAIL_SMTP_URL": ""})
        try:
            s.cli("user", "add", "--email", "org@ruse.bg", "--name", "Орг", stdin="password-123\n")
            token = s.cli("token", "create", "--email", "org@ruse.bg").stdout.strip()
            ev = s.request("POST", "/api/v1/events", EVENT, headers={"Authorization": "Bearer " + token}).json()
            s.request("POST", f"/api/v1/events/{ev['id']}/publish", headers={"Authorization": "Bearer " + token})
            codes = [s.request("POST", f"/api/v1/events/{ev['id']}/registrations", body=person(i)).status for i in range(5)]
            self.assertEqual(codes, [201, 201, 201, 429, 429])
        finally:
            s.close()


if __name__ == "__main__":
    unittest.main()
