"""A local stand-in for Twilio's REST API: the stack's PCL_TWILIO_API_BASE points here, so the
real twilio client in the action server sends its requests to this server, which records them
and answers as Twilio's Messages API does (201 and the new message's JSON, with a sid)."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass(frozen=True)
class CapturedRequest:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]

    @property
    def basic_auth(self) -> tuple[str, str] | None:
        header = self.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user, password


class _Handler(BaseHTTPRequestHandler):
    server: TwilioApiStub

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        form = {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}
        captured = CapturedRequest(
            method="POST",
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            form=form,
        )
        self.server.record(captured)
        sid = "SM" + secrets.token_hex(16)
        account = self.path.split("/Accounts/")[-1].split("/")[0]
        payload = {
            "sid": sid,
            "account_sid": account,
            "to": form.get("To"),
            "from": form.get("From"),
            "body": form.get("Body"),
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
        }
        data = json.dumps(payload).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the test output stays clean


class TwilioApiStub(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self._requests: list[CapturedRequest] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> TwilioApiStub:
        self._thread.start()
        return self

    def close(self) -> None:
        self.shutdown()
        self.server_close()

    def record(self, request: CapturedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    @property
    def requests(self) -> list[CapturedRequest]:
        with self._lock:
            return list(self._requests)

    def wait_for(
        self, matches: Callable[[CapturedRequest], bool], timeout: float = 10
    ) -> CapturedRequest:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for request in self.requests:
                if matches(request):
                    return request
            time.sleep(0.1)
        raise AssertionError(f"no matching request reached the Twilio stand-in in {timeout} s")
