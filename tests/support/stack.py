"""The real stack for end-to-end tests: the Procfile's three processes, started on free ports
with a temporary data directory, exactly as `make run` starts them."""

from __future__ import annotations

import os
import secrets
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.adapters.crypto import generate_key
from tests.support.ports import free_port
from tests.support.twilio_api import TwilioApiStub

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = ("rasa", "actions", "api")
# The variable each kind of process takes its port from (the Procfile and bot.adapters.settings).
_PORT_VARIABLES = {
    "rasa": "PCL_RASA_PORT",
    "actions": "PCL_ACTION_SERVER_PORT",
    "api": "PCL_API_PORT",
}


def procfile_commands() -> dict[str, str]:
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, command = line.split(":", 1)
            commands[name.strip()] = command.strip()
    return commands


def current_model() -> Path:
    if os.environ.get("PCL_MODEL"):
        return ROOT / os.environ["PCL_MODEL"]
    models = sorted((ROOT / "models").glob("pcl-*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not models:
        raise RuntimeError("no trained model: run the tests through `make test`")
    return models[-1]


@dataclass
class Stack:
    data_dir: Path
    proxy_url: str
    database_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # Extra instances (start_instance): name -> (Procfile kind, its environment overrides).
    instances: dict[str, tuple[str, dict[str, str | None]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ports = {name: free_port() for name in PROCESSES}
        # The pcl channel's token (the API's); Rasa's HTTP API and the action server have
        # their own.
        self.token = secrets.token_urlsafe(32)
        self.rasa_api_token = secrets.token_urlsafe(32)
        self.action_server_token = secrets.token_urlsafe(32)
        self.hmac_key = secrets.token_urlsafe(32)
        self.encryption_key = generate_key()
        self.blind_index_key = generate_key()
        self.log_dir = self.data_dir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.database_url = self.database_url or f"sqlite:///{self.data_dir / 'pcl.db'}"
        # SMS on, with test credentials; the action server's Twilio client talks to a local
        # stand-in, never to Twilio. Numbers are from Ofcom's drama range.
        self.twilio_api = TwilioApiStub().start()
        self.twilio_account_sid = "AC" + secrets.token_hex(16)
        self.twilio_auth_token = secrets.token_hex(16)
        self.public_base_url = "https://pcl.example.gov.uk"
        self.twilio_from = "+447700900100"
        self.irt_alert_to = "+447700900999"
        # The stand-in reports delivery to the API, signed as Twilio signs for the public URL.
        self.twilio_api.callbacks_to = self.api_url
        self.twilio_api.auth_token = self.twilio_auth_token

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['api']}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['rasa']}"

    def env(self, **overrides: str | None) -> dict[str, str]:
        """The processes' environment; an override of None leaves that variable out (an API
        instance on the real clock: PCL_NOW=None)."""
        base = {k: v for k, v in os.environ.items() if not k.startswith("PCL_")}
        base.update(
            PYTHONPATH=str(ROOT),
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="2",
            SQLALCHEMY_SILENCE_UBER_WARNING="1",
            HTTP_PROXY=self.proxy_url,
            HTTPS_PROXY=self.proxy_url,
            http_proxy=self.proxy_url,
            https_proxy=self.proxy_url,
            NO_PROXY="127.0.0.1,localhost",
            no_proxy="127.0.0.1,localhost",
            PCL_ENV="test",
            PCL_DATA_DIR=str(self.data_dir),
            PCL_DATABASE_URL=self.database_url or "",
            PCL_MODEL=str(current_model()),
            PCL_RASA_TOKEN=self.token,
            PCL_RASA_API_TOKEN=self.rasa_api_token,
            PCL_ACTION_SERVER_TOKEN=self.action_server_token,
            # The limits stay on; the test rig is one client (127.0.0.1) playing many
            # professionals, so its own allowance is large. tests/integration/
            # test_hostile_callers.py tests the limits themselves.
            PCL_RATE_LIMIT_CHAT_CLIENT="100000/minute",
            PCL_RATE_LIMIT_CHAT_CONVERSATION="1000/minute",
            PCL_RATE_LIMIT_SMS_SENDER="1000/minute",
            PCL_RATE_LIMIT_SIGN_IN_CLIENT="1000/minute",
            # Likewise its flagged contacts are no flood, and the tests' alerts are all sent
            # one by one; tests/e2e/test_flood.py tests the flood with the real allowances.
            PCL_FLAGGED_CONTACTS_PER_CLIENT="100000/hour",
            PCL_IRT_ALERT_CAP="100000/minute",
            PCL_HMAC_KEY=self.hmac_key,
            PCL_ENCRYPTION_KEYS=self.encryption_key,
            PCL_BLIND_INDEX_KEY=self.blind_index_key,
            PCL_RASA_PORT=str(self.ports["rasa"]),
            PCL_RASA_URL=self.rasa_url,
            PCL_ACTION_SERVER_PORT=str(self.ports["actions"]),
            PCL_ACTION_SERVER_URL=f"http://127.0.0.1:{self.ports['actions']}",
            PCL_API_PORT=str(self.ports["api"]),
            PCL_TWILIO_ACCOUNT_SID=self.twilio_account_sid,
            PCL_TWILIO_AUTH_TOKEN=self.twilio_auth_token,
            PCL_PUBLIC_BASE_URL=self.public_base_url,
            PCL_TWILIO_FROM=self.twilio_from,
            PCL_IRT_ALERT_TO=self.irt_alert_to,
            PCL_TWILIO_API_BASE=self.twilio_api.url,
        )
        base.update(self.extra_env)
        for name, value in overrides.items():
            if value is None:
                base.pop(name, None)
            else:
                base[name] = value
        return base

    def start(self, name: str, **env_overrides: str | None) -> None:
        kind, instance_env = self.instances.get(name, (name, {}))
        command = procfile_commands()[kind]
        log = (self.log_dir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            ["bash", "-c", "exec " + command],
            cwd=ROOT,
            env=self.env(**{**instance_env, **env_overrides}),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a kill takes its children
        )

    def start_instance(self, name: str, kind: str, **env_overrides: str | None) -> str:
        """Starts one more process of the Procfile's `kind` ("rasa", "api", "actions") as
        `name`, on a free port of its own and with the given environment on top of the stack's;
        returns its URL. stop/start/restart(name) then work on it as on the three."""
        port_variable = _PORT_VARIABLES[kind]
        self.ports[name] = free_port()
        self.instances[name] = (kind, {**env_overrides, port_variable: str(self.ports[name])})
        self.start(name)
        return self.url_of(name)

    def url_of(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def wait_ready(self, name: str, timeout: float = 180) -> None:
        """Waits for one process to answer: an API's /healthz, Rasa's /status with a model,
        the action server's /health."""
        kind = self.instances.get(name, (name, {}))[0]
        path = {"api": "/healthz", "rasa": "/status", "actions": "/health"}[kind]
        params = {"token": self.rasa_api_token} if kind == "rasa" else None
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            process = self.processes.get(name)
            if process is None or process.poll() is not None:
                raise RuntimeError(f"{name} exited: see {self.log_dir / (name + '.log')}")
            try:
                response = httpx.get(self.url_of(name) + path, params=params, timeout=5)
                ready = response.status_code == 200 and (
                    kind != "rasa" or bool(response.json().get("model_id"))
                )
                if ready:
                    return
                last = response.text
            except (httpx.HTTPError, ValueError) as error:
                last = repr(error)
            time.sleep(0.5)
        raise RuntimeError(f"{name} did not become ready in {timeout} s: {last}")

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def restart(self, name: str, **env_overrides: str) -> None:
        self.stop(name)
        self.start(name, **env_overrides)
        self.wait_healthy()

    def set_clock(self, iso: str) -> None:
        """Fix the action server's clock (PCL_NOW); only it judges the hours."""
        if self.extra_env.get("PCL_NOW") == iso:
            return
        self.extra_env["PCL_NOW"] = iso
        self.restart("actions")

    def start_all(self) -> None:
        for name in PROCESSES:
            self.start(name)
        self.wait_healthy()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def wait_healthy(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited: see {self.log_dir / (name + '.log')}")
            try:
                response = httpx.get(self.api_url + "/healthz", timeout=5)
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.HTTPError as error:
                last = repr(error)
            time.sleep(0.5)
        raise RuntimeError(f"the stack did not become healthy in {timeout} s: {last}")

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.log_dir.glob("*.log"))

    def describe(self) -> str:
        return shlex.join([f"{k}={v}" for k, v in self.ports.items()])
