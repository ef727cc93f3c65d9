"""A real SMTP server for tests (Debian's python3-aiosmtpd) whose answers tests can script."""
import asyncio
import email
import email.policy
import socket
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Handler:
    def __init__(self):
        self.messages = []     # (envelope sender, recipients, raw bytes)
        self.script = []       # answers to give to DATA, in order; then accept
        self.drop_next = 0     # how many DATA commands to answer by dropping the connection
        self.connections = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.drop_next > 0:
                self.drop_next -= 1
                server.transport.abort()  # the connection dies mid-message, no answer
                return "421 gone"
            if self.script:
                return self.script.pop(0)
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 OK queued"


class CountingSMTP(SMTP):
    def connection_made(self, transport):
        self.event_handler.connections += 1
        super().connection_made(transport)


class CountingController(Controller):
    def factory(self):
        return CountingSMTP(self.handler, decode_data=False, enable_SMTPUTF8=False)


class Sink:
    def __init__(self, port=None):
        self.port = port or free_port()
        self.handler = Handler()
        self.controller = CountingController(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()

    @property
    def url(self):
        return f"smtp://127.0.0.1:{self.port}"

    def wait_for(self, n, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.handler.lock:
                if len(self.handler.messages) >= n:
                    return list(self.handler.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {n} messages, got {len(self.handler.messages)}")

    @staticmethod
    def parse(raw):
        return email.message_from_bytes(raw, policy=email.policy.default)
