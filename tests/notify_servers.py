"""Real servers on loopback for the notify tests: a small SMTP server and an HTTP server.

Both bind 127.0.0.1 on a free port, run in a daemon thread and record what they receive;
the HTTP server answers from a script of status codes (then 200 for ever), so a test can
make a gateway fail a few times and recover.
"""

import email
import email.policy
import json
import socketserver
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self._reply("220 loopback ESMTP")
        sender, recipients = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250-loopback\r\n250 8BITMIME" if verb == "EHLO" else "250 loopback")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                self._reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip(" <>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                self.server.messages.append({"from": sender, "to": recipients, "message": message})
                self._reply("250 queued")
            elif verb in ("RSET", "NOOP"):
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 not implemented")


class _ThreadingTCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def smtp_server():
    """Run an SMTP server on loopback; yield it (``.port``, ``.messages``)."""
    server = _ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.messages = []
    server.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class _HttpHandler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output quiet
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        parts = urlsplit(self.path)
        with self.server.lock:
            status = self.server.script.pop(0) if self.server.script else 200
            record = {
                "method": self.command,
                "path": parts.path,
                "query": parse_qs(parts.query),
                "body": raw,
                "content_type": self.headers.get("Content-Type", ""),
                "status": status,
            }
            self.server.requests.append(record)
        answer = self.server.ok_body if status == 200 else "server error"
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer.encode())

    do_GET = _answer
    do_POST = _answer


@contextmanager
def http_server(script=(), ok_body: str = '{"errcode": 0, "errmsg": "ok"}'):
    """Run an HTTP server on loopback answering ``script``'s codes first, then 200."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HttpHandler)
    server.daemon_threads = True
    server.script = list(script)
    server.ok_body = ok_body
    server.requests = []
    server.lock = threading.Lock()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def delivered(server) -> list[dict]:
    """Return the requests the HTTP server answered with 200, JSON bodies parsed."""
    rows = []
    for request in server.requests:
        if request["status"] != 200:
            continue
        body = request["body"]
        if "json" in request["content_type"]:
            body = json.loads(body)
        rows.append({**request, "body": body})
    return rows
