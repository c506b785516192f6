"""A local SMTP server for tests: speaks enough SMTP (RFC 5321) for smtplib and keeps every message."""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes, policy
from email.message import Message


class _Session(socketserver.StreamRequestHandler):
    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        sink: MailSink = self.server.sink  # type: ignore[attr-defined]
        self._reply("220 mail-sink ESMTP")
        envelope: dict = {"from": None, "to": []}
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.wfile.write(b"250-mail-sink\r\n250 AUTH PLAIN\r\n")
            elif verb == "HELO":
                self._reply("250 mail-sink")
            elif verb == "AUTH":
                sink.logins.append(command)
                self._reply("235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                envelope = {"from": command.split(":", 1)[1].strip(" <>"), "to": []}
                self._reply("250 OK")
            elif verb == "RCPT":
                envelope["to"].append(command.split(":", 1)[1].strip(" <>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 end with <CRLF>.<CRLF>")
                body = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body += chunk[1:] if chunk.startswith(b"..") else chunk
                sink.messages.append((envelope, message_from_bytes(body, policy=policy.default)))
                self._reply("250 OK queued")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("250 OK")  # RSET, NOOP


class MailSink:
    """``with MailSink() as sink:`` listens on 127.0.0.1:``sink.port`` until the block ends."""

    def __init__(self) -> None:
        self.messages: list[tuple[dict, Message]] = []
        self.logins: list[str] = []
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Session)
        self._server.daemon_threads = True
        self._server.sink = self  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]

    def __enter__(self) -> MailSink:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
