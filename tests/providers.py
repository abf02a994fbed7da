"""Local HTTP servers that answer as Twilio's and SendGrid's APIs do, for the real SDK clients.

Each records every request and can be told what to answer next (e.g. 429, then 500, then success)."""

import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    query: dict[str, list[str]]
    form: dict[str, list[str]] = field(default_factory=dict)
    json: Any = None


class FakeProvider:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.script: list[int] = []  # statuses to answer the next sends with
        self.lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                parsed = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                recorded = Recorded(self.command, parsed.path, dict(self.headers), parse_qs(parsed.query))
                if "json" in (self.headers.get("Content-Type") or ""):
                    recorded.json = json.loads(raw) if raw else None
                else:
                    recorded.form = parse_qs(raw)
                with provider.lock:
                    provider.requests.append(recorded)
                    status, headers, body = provider.answer(recorded)
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                encoded = json.dumps(body).encode() if body is not None else b""
                self.send_header("Content-Length", str(len(encoded)))
                self.end_headers()
                self.wfile.write(encoded)

            do_GET = do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def next_status(self, success: int) -> int:
        return self.script.pop(0) if self.script else success

    def sends(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST"]

    def answer(self, request: Recorded) -> tuple[int, dict[str, str], Any]:
        raise NotImplementedError

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeTwilio(FakeProvider):
    """POST …/Messages.json creates a message; GET lists them (what `find_sent` asks)."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[dict[str, Any]] = []

    def answer(self, request: Recorded) -> tuple[int, dict[str, str], Any]:
        if request.method == "GET":
            to = request.query.get("To", [None])[0]
            found = [m for m in self.messages if to in (None, m["to"])]
            meta = {"key": "messages", "next_page_url": None, "page": 0, "page_size": 50}
            return 200, {}, {"messages": found, "meta": meta}
        status = self.next_status(201)
        if status != 201:
            codes = {
                400: (21211, "The 'To' number is not a valid phone number."),
                429: (20429, "Too Many Requests"),
            }
            code, message = codes.get(status, (20500, "Internal Server Error"))
            return status, {}, {"code": code, "message": message, "status": status, "more_info": ""}
        sent = {
            "sid": f"SM{uuid.uuid4().hex}",
            "to": request.form["To"][0],
            "from": request.form["From"][0],
            "body": request.form["Body"][0],
            "status": "queued",
            "date_sent": datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000"),
        }
        self.messages.append(sent)
        return 201, {}, sent


class FakeSendGrid(FakeProvider):
    """POST /v3/mail/send accepts a message (202 with X-Message-Id)."""

    def answer(self, request: Recorded) -> tuple[int, dict[str, str], Any]:
        status = self.next_status(202)
        if status != 202:
            return status, {}, {"errors": [{"message": f"refused with {status}", "field": None}]}
        return 202, {"X-Message-Id": f"sg{uuid.uuid4().hex[:20]}"}, None
