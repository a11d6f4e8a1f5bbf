"""A local stand-in for Twilio's REST API: the stack's PCL_TWILIO_API_BASE points here, so the
real twilio client in the action server sends its requests to this server, which records them
and answers as Twilio's Messages API does (201 and the new message's JSON, with a sid).

Like Twilio it can fail: `fail_next(n)` answers the next n sends with a 500, and `hold()`
refuses every send (503) until `release()`. With `callbacks_to` set (the API's real URL, for
a StatusCallback URL under the public base URL) and the `auth_token`, it posts Twilio's status
callbacks for each accepted message ("sent", then "delivered"), signed as Twilio signs them."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qs, urlencode, urlsplit

from twilio.request_validator import RequestValidator


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
        refusal = self.server.refusal()
        if refusal:
            self._answer(refusal, {"code": 20500, "message": "stand-in failure", "status": refusal})
            return
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
        self.server.accepted(captured, sid)
        self._answer(201, payload)
        if form.get("StatusCallback"):
            self.server.report_later(form["StatusCallback"], sid, account)

    def _answer(self, status: int, payload: dict[str, object]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
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
        self._accepted: list[tuple[CapturedRequest, str]] = []
        self._accepted_at: list[float] = []  # time.monotonic() of each accepted send
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._failures = 0
        self._held = False
        # Status callbacks: where they really go (the API) and the token they are signed with.
        self.callbacks_to: str | None = None
        self.auth_token = ""
        self.callback_delay = 1.0  # seconds after the 201, as Twilio's come a moment later
        self.callbacks: list[tuple[str, str, int]] = []  # (sid, status, the API's answer)

    # --- failing like Twilio ----------------------------------------------------------------

    def fail_next(self, count: int) -> None:
        """The next `count` sends are answered 500."""
        with self._lock:
            self._failures = count

    def hold(self) -> None:
        """Every send is refused (503) until release()."""
        with self._lock:
            self._held = True

    def release(self) -> None:
        with self._lock:
            self._held = False

    def refusal(self) -> int:
        """The status to refuse this send with, or 0 to accept it."""
        with self._lock:
            if self._held:
                return 503
            if self._failures > 0:
                self._failures -= 1
                return 500
            return 0

    def accepted(self, request: CapturedRequest, sid: str) -> None:
        with self._lock:
            self._accepted.append((request, sid))
            self._accepted_at.append(time.monotonic())

    @property
    def message_times(self) -> list[tuple[float, str]]:
        """When each message was accepted (time.monotonic()), with its body."""
        with self._lock:
            return [
                (at, request.form.get("Body", ""))
                for at, (request, _) in zip(self._accepted_at, self._accepted, strict=True)
            ]

    @property
    def messages(self) -> list[tuple[CapturedRequest, str]]:
        """The sends answered 201, with their SIDs: the messages that reached the phone."""
        with self._lock:
            return list(self._accepted)

    # --- status callbacks -----------------------------------------------------------------

    def report_later(self, callback_url: str, sid: str, account: str) -> None:
        if self.callbacks_to is None:
            return
        threading.Thread(
            target=self._report, args=(callback_url, sid, account), daemon=True
        ).start()

    def _report(self, callback_url: str, sid: str, account: str) -> None:
        for status in ("sent", "delivered"):
            time.sleep(self.callback_delay / 2)
            self.post_status(callback_url, sid, status, account)

    def post_status(
        self, callback_url: str, sid: str, status: str, account: str = "", signed: bool = True
    ) -> int:
        """Posts a status callback as Twilio does: to `callback_url` (sent to callbacks_to,
        keeping its path), signed over that URL and the fields with the auth token."""
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "AccountSid": account,
            "ApiVersion": "2010-04-01",
        }
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if signed:
            signature = RequestValidator(self.auth_token).compute_signature(callback_url, params)
            headers["X-Twilio-Signature"] = signature
        parts = urlsplit(callback_url)
        target = (self.callbacks_to or "").rstrip("/") + parts.path
        request = urllib.request.Request(
            target, data=urlencode(params).encode(), headers=headers, method="POST"
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=10) as response:
                answer = response.status
        except HTTPError as error:
            answer = error.code
        except URLError:
            answer = 0  # the API is down: Twilio would not try again either
        with self._lock:
            self.callbacks.append((sid, status, answer))
        return answer

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
