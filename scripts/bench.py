#!/usr/bin/env python
"""The assistant under load: `make bench` (or `.venv/bin/python scripts/bench.py --quick`).

Starts the stack on the embedded default (SQLite, Rasa's in-memory tracker store) in a
temporary directory, with the clock fixed in the line's hours, and has simulated
professionals hold whole consultations (named child and scenario, 14-19 turns each) at 1, 10
and 50 concurrent conversations through

  web     POST /chat/api/messages (one cookie jar per conversation)
  sms     POST /sms/twilio (Twilio's form, signed with the stack's auth token)
  rasa    the same turns straight to Rasa's project channel (POST /webhooks/pcl/webhook with
          the bearer token), in the same run and on the same model: the baseline the API's
          own overhead is measured against.
  minimal a minimal stock Rasa 3.6 project (scripts/minimal_rasa: one intent, one custom
          action that sets a slot and sends buttons, Rasa's REST channel, none of the
          project's code or patches), served beside the stack in the same run: what a stock
          Rasa turn costs on the machine of the day, which the assistant's Rasa is held
          against (`--minimal-model`, or $PCL_MINIMAL_MODEL, which `make bench` trains).

It prints per-turn latency (p50/p95/p99), turns per second, errors, the peak resident memory
of each process group, start-up time (processes started to /healthz 200), optionally the
training time (--train), and the targets with whether each is met. --scaleout adds a row on
the production setup (PostgreSQL, Redis): one Rasa instance against two behind nginx.

Everything is on 127.0.0.1; every loop is bounded. The figures depend on the machine: run the
full benchmark on a quiet one.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.support.consultations import (  # noqa: E402
    REFERENCE,
    UNAVAILABLE,
    named_child_turns,
    scenario_turns,
)
from tests.support.outbound import OutboundRecorder  # noqa: E402
from tests.support.stack import PROCESSES, Stack, current_model  # noqa: E402

IN_HOURS = "2026-11-26T11:00:00+00:00"  # a Thursday at 11:00 in London: the line is open
GIB = 1024**3
TURN_TIMEOUT = 120.0

# The targets (the issue "Benchmarks, load, faults and hostile input").
MAX_LATENCY_OVERHEAD = 0.30  # the layers add at most 30% to bare Rasa's p50 and p95 at 1
MIN_THROUGHPUT_RATIO = 0.8  # at 10 and 50 conversations, with zero errors
MAX_RESIDENT_BYTES = 2 * GIB  # the whole stack
# The assistant's Rasa (the "rasa" row) against a minimal stock Rasa (issue 20): at least its
# throughput at 10 conversations, and no more Rasa CPU per turn.
MIN_MINIMAL_THROUGHPUT_RATIO = 1.0
MINIMAL_LEVEL = 10

Turn = Callable[[str], Awaitable["TurnResult"]]


@dataclass
class TurnResult:
    ok: bool
    text: str
    why: str = ""


@dataclass
class Run:
    path: str
    concurrency: int
    conversations: int = 0
    turns: int = 0
    errors: int = 0
    failed_conversations: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    error_kinds: dict[str, int] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)  # per process group
    # The process group whose CPU stands in a column ("rasa", "actions", "api") for this way in.
    cpu_alias: dict[str, str] = field(default_factory=dict)

    def cpu_ms_per_turn(self, group: str) -> float:
        seconds = self.cpu_seconds.get(self.cpu_alias.get(group, group), math.nan)
        return seconds * 1000 / self.turns if self.turns else math.nan

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the turns' latencies, in milliseconds."""
        if not self.latencies_ms:
            return math.nan
        ordered = sorted(self.latencies_ms)
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        return ordered[rank - 1]

    @property
    def turns_per_second(self) -> float:
        return self.turns / self.seconds if self.seconds else math.nan

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        del data["latencies_ms"]
        data.update(
            p50_ms=self.percentile(50),
            p95_ms=self.percentile(95),
            p99_ms=self.percentile(99),
            turns_per_second=self.turns_per_second,
            cpu_ms_per_turn={
                g: self.cpu_ms_per_turn(g) for g in ("rasa", "actions", "api", *self.cpu_seconds)
            },
        )
        return data


# --- the three ways in --------------------------------------------------------------------


class Way:
    """One way in: `open()` starts a conversation and gives its turn function and its close."""

    name = ""
    cpu_alias: dict[str, str] = {}  # noqa: RUF012 - never changed

    def script(self, number: int) -> tuple[list[str], bool]:
        """The conversation's turns, and whether it ends with a contact's reference."""
        return script_for(number)

    async def open(self, number: int) -> tuple[Turn, Callable[[], Awaitable[None]]]:
        raise NotImplementedError

    async def aclose(self) -> None:
        return None


class RasaWay(Way):
    name = "rasa"

    def __init__(self, rasa_url: str, token: str, http: httpx.AsyncClient) -> None:
        self.url = rasa_url + "/webhooks/pcl/webhook"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.http = http

    async def open(self, number: int) -> tuple[Turn, Callable[[], Awaitable[None]]]:
        sender = f"bench-{secrets.token_hex(12)}"

        async def turn(text: str) -> TurnResult:
            body = {"sender": sender, "message": text, "metadata": {"channel": "web"}}
            response = await self.http.post(
                self.url, json=body, headers=self.headers, timeout=TURN_TIMEOUT
            )
            if response.status_code != 200:
                return TurnResult(False, "", f"status {response.status_code}")
            messages = response.json()
            texts = [m.get("text") or "" for m in messages if isinstance(m, dict)]
            if not any(texts) and not any(m.get("buttons") for m in messages):
                return TurnResult(False, "", "empty reply")
            return TurnResult(True, "\n".join(texts))

        async def close() -> None:
            return None

        return turn, close


class WebWay(Way):
    name = "web"

    def __init__(self, api_url: str, name: str = "web") -> None:
        self.api_url = api_url
        self.name = name

    async def open(self, number: int) -> tuple[Turn, Callable[[], Awaitable[None]]]:
        client = httpx.AsyncClient(base_url=self.api_url, timeout=TURN_TIMEOUT)  # its own jar

        async def turn(text: str) -> TurnResult:
            response = await client.post("/chat/api/messages", json={"text": text})
            messages = response.json().get("messages", [])
            joined = "\n".join(m.get("text") or "" for m in messages)
            if response.status_code != 200:
                return TurnResult(False, joined, f"status {response.status_code}")
            if not messages:
                return TurnResult(False, "", "empty reply")
            return TurnResult(True, joined)

        return turn, client.aclose


class SmsWay(Way):
    name = "sms"

    def __init__(self, stack: Stack) -> None:
        from tests.support.sms import SmsPhone, new_message_sid, parse_twiml

        self.stack = stack
        self.phone_class, self.new_sid, self.parse = SmsPhone, new_message_sid, parse_twiml
        # Ofcom's drama range: +44 7700 900000-900999, one number per conversation.
        self.numbers = (f"+447700900{n:03d}" for n in itertools.cycle(range(1000)))
        self.http = httpx.AsyncClient(base_url=stack.api_url, timeout=TURN_TIMEOUT)

    async def open(self, number: int) -> tuple[Turn, Callable[[], Awaitable[None]]]:
        stack = self.stack
        # The project's own signing helper (twilio's RequestValidator); its client is unused.
        phone = self.phone_class(
            stack.api_url,
            stack.twilio_auth_token,
            stack.public_base_url,
            number=next(self.numbers),
            to=stack.twilio_from,
        )
        phone.client.close()

        async def turn(text: str) -> TurnResult:
            # A button's payload is typed as it is; a real phone would reply with its number.
            params = phone.form(text, self.new_sid())
            headers = {"X-Twilio-Signature": phone.signature(params)}
            response = await self.http.post("/sms/twilio", data=params, headers=headers)
            if response.status_code != 200:
                return TurnResult(False, "", f"status {response.status_code}")
            joined = "\n".join(self.parse(response.text))
            if not joined.strip():
                return TurnResult(False, "", "empty reply")
            if UNAVAILABLE in joined:
                return TurnResult(False, joined, "urgent routes (assistant unavailable)")
            return TurnResult(True, joined)

        async def close() -> None:
            return None

        return turn, close

    async def aclose(self) -> None:
        await self.http.aclose()

    @staticmethod
    def available(stack: Stack) -> str:
        """Empty when the SMS route is there and on; else why the row is skipped."""
        try:
            import tests.support.sms  # noqa: F401
        except ImportError:
            return "tests/support/sms.py (the signing helper) is not there yet"
        response = httpx.post(stack.api_url + "/sms/twilio", data={"Body": "x"}, timeout=30)
        if response.status_code != 403:  # an unsigned request: 403 when the route is on
            return f"POST /sms/twilio answered {response.status_code} to an unsigned request"
        return ""


class MinimalWay(Way):
    """A conversation with the minimal stock Rasa (scripts/minimal_rasa) on Rasa's REST
    channel: as many turns as a consultation, each answered by its custom action."""

    name = "minimal"
    cpu_alias = {"rasa": "minimal-rasa", "actions": "minimal-actions", "api": "-"}  # noqa: RUF012
    TURNS = 16  # a consultation has 14-19

    def __init__(self, rasa_url: str, http: httpx.AsyncClient) -> None:
        self.url = rasa_url + "/webhooks/rest/webhook"
        self.http = http

    def script(self, number: int) -> tuple[list[str], bool]:
        said = ("choose", "choose again", "choose one")
        return [said[i % len(said)] for i in range(self.TURNS)], False

    async def open(self, number: int) -> tuple[Turn, Callable[[], Awaitable[None]]]:
        sender = f"minimal-{secrets.token_hex(12)}"

        async def turn(text: str) -> TurnResult:
            body = {"sender": sender, "message": text}
            response = await self.http.post(self.url, json=body, timeout=TURN_TIMEOUT)
            if response.status_code != 200:
                return TurnResult(False, "", f"status {response.status_code}")
            messages = response.json()
            if not any(isinstance(m, dict) and m.get("buttons") for m in messages):
                return TurnResult(False, "", "no buttons")
            return TurnResult(True, "\n".join(m.get("text") or "" for m in messages))

        async def close() -> None:
            return None

        return turn, close


MINIMAL_DIR = ROOT / "scripts" / "minimal_rasa"


class MinimalRasa:
    """The minimal project's Rasa and action server, each in its own process group, on free
    ports: stock `rasa run` (REST channel, in-memory trackers) and rasa_sdk's server."""

    def __init__(self, model: Path, log_dir: Path) -> None:
        from tests.support.ports import free_port

        self.model = model
        self.log_dir = log_dir
        self.ports = {"minimal-rasa": free_port(), "minimal-actions": free_port()}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['minimal-rasa']}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['minimal-actions']}"

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PCL_")}
        env.pop("PYTHONPATH", None)  # none of the project's code
        env.update(
            RASA_TELEMETRY_ENABLED="false",
            TF_CPP_MIN_LOG_LEVEL="2",
            MINIMAL_ACTION_SERVER_URL=self.actions_url,
            NO_PROXY="127.0.0.1,localhost",
            no_proxy="127.0.0.1,localhost",
        )
        commands = {
            "minimal-actions": [
                str(ROOT / ".venv/bin/python"),
                "-m",
                "rasa_sdk",
                "--actions",
                "minimal_actions",
                "--port",
                str(self.ports["minimal-actions"]),
            ],
            "minimal-rasa": [
                str(ROOT / ".venv-rasa/bin/rasa"),
                "run",
                "--model",
                str(self.model),
                "--interface",
                "127.0.0.1",
                "--port",
                str(self.ports["minimal-rasa"]),
                "--credentials",
                "credentials.yml",
                "--endpoints",
                "endpoints.yml",
            ],
        }
        for name, command in commands.items():
            log = (self.log_dir / f"{name}.log").open("ab")
            self.processes[name] = subprocess.Popen(  # noqa: S603 - the project's own envs
                command,
                cwd=MINIMAL_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        checks = {
            "minimal-actions": self.actions_url + "/health",
            "minimal-rasa": self.rasa_url + "/webhooks/rest/",
        }
        for name, url in checks.items():
            while True:
                if self.processes[name].poll() is not None:
                    raise RuntimeError(f"{name} exited: see {self.log_dir / (name + '.log')}")
                try:
                    if httpx.get(url, timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not become ready in {timeout} s")
                time.sleep(0.5)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


# --- conversations under load ---------------------------------------------------------------


def script_for(number: int) -> tuple[list[str], bool]:
    """Alternately a named child (recorded: a reference at the end) and a scenario."""
    if number % 2 == 0:
        return named_child_turns(child=f"Amy Bench{number}"), True
    return scenario_turns(), False


async def hold(path: Way, number: int, run: Run) -> None:
    turns, named = path.script(number)
    turn, close = await path.open(number)
    failed = False
    last = ""
    try:
        for text in turns:
            started = time.perf_counter()
            try:
                result = await turn(text)
            except (httpx.HTTPError, ValueError) as error:
                result = TurnResult(False, "", type(error).__name__)
            run.latencies_ms.append((time.perf_counter() - started) * 1000)
            run.turns += 1
            if not result.ok:
                run.errors += 1
                run.error_kinds[result.why] = run.error_kinds.get(result.why, 0) + 1
                failed = True
            last = result.text
    finally:
        await close()
    if named and not REFERENCE.search(last):
        failed = True
        run.error_kinds["no reference at the end"] = (
            run.error_kinds.get("no reference at the end", 0) + 1
        )
    run.failed_conversations += failed
    run.conversations += 1


async def measure(
    way: Way, concurrency: int, conversations: int, run: Run | None = None, first: int = 0
) -> Run:
    """Holds `conversations` conversations, `concurrency` at a time; adds to `run`."""
    run = run or Run(way.name, concurrency, cpu_alias=dict(way.cpu_alias))
    numbers = iter(range(first, first + conversations))

    async def worker() -> None:
        for number in numbers:  # shared iterator: each conversation is held once
            await hold(way, number, run)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    run.seconds += time.perf_counter() - started
    return run


async def measure_level(
    ways: list[Way], concurrency: int, conversations: int, groups: dict[str, int] | None = None
) -> list[Run]:
    """One level on every way in, interleaved in rounds of `concurrency` conversations (the
    ways take turns, in a rotating order) so that a busy moment of the machine falls on all of
    them alike rather than on one. With `groups`, each run also gets the CPU time each process
    group spent during its rounds."""
    runs = [Run(way.name, concurrency, cpu_alias=dict(way.cpu_alias)) for way in ways]
    rounds = max(1, math.ceil(conversations / concurrency))
    for number in range(rounds):
        order = [(number + i) % len(ways) for i in range(len(ways))]
        for index in order:
            before = cpu_seconds(groups or {})
            await measure(ways[index], concurrency, concurrency, runs[index], number * concurrency)
            for name, seconds in cpu_seconds(groups or {}).items():
                spent = seconds - before.get(name, 0.0)
                runs[index].cpu_seconds[name] = runs[index].cpu_seconds.get(name, 0.0) + spent
    return runs


# --- memory: the process groups' resident sets, from /proc -----------------------------------


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid:  # state, ppid, pgrp
            members.append(int(entry.name))
    return members


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(groups: dict[str, int]) -> dict[str, float]:
    """User plus system CPU time of each process group's live processes (and of the children
    they have waited for)."""
    totals = {}
    for name, pgid in groups.items():
        ticks = 0
        for pid in _group_members(pgid):
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            ticks += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        totals[name] = ticks / _TICKS
    return totals


def _status_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemoryWatch:
    """Samples each group's resident set (VmRSS) every half second for the stack's peak, and
    keeps each group's high-water mark (the sum of its processes' VmHWM)."""

    def __init__(self, groups: dict[str, int]) -> None:
        self.groups = groups
        self.peak_total = 0
        self.peak_hwm: dict[str, int] = dict.fromkeys(groups, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> None:
        total = 0
        for name, pgid in self.groups.items():
            members = _group_members(pgid)
            total += sum(_status_kib(pid, "VmRSS") for pid in members) * 1024
            hwm = sum(_status_kib(pid, "VmHWM") for pid in members) * 1024
            self.peak_hwm[name] = max(self.peak_hwm[name], hwm)
        self.peak_total = max(self.peak_total, total)

    def _loop(self) -> None:
        while not self._stop.wait(0.5):
            self.sample()

    def __enter__(self) -> MemoryWatch:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sample()


# --- training and start-up ------------------------------------------------------------------


def time_training() -> float:
    """A whole training from an empty cache (Rasa reuses cached components otherwise)."""
    with tempfile.TemporaryDirectory(prefix="pcl-bench-train-") as out:
        env = {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "RASA_CACHE_DIRECTORY": str(Path(out) / "cache"),
            "PYTHONPATH": str(ROOT),  # config.yml names components in rasa_ext
        }
        started = time.perf_counter()
        subprocess.run(  # noqa: S603 - the project's own Rasa and arguments
            [
                str(ROOT / ".venv-rasa/bin/python"),
                "-m",
                "rasa_ext",
                "train",
                "--out",
                str(Path(out) / "models"),
                "--quiet",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=3600,
        )
        return time.perf_counter() - started


def start_stack(stack: Stack) -> float:
    started = time.perf_counter()
    for name in PROCESSES:
        stack.start(name)
    stack.wait_healthy(timeout=600)
    return time.perf_counter() - started


# --- the scale-out row: one Rasa against two behind nginx (production setup) ---------------


def scaleout_row(
    data_dir: Path, proxy_url: str, concurrency: int, conversations: int
) -> dict[str, Any]:
    """Web turns/s at `concurrency` through an API on one Rasa, then through an API on two
    Rasas behind nginx; both on PostgreSQL (records, trackers) and Redis (locks)."""
    from tests.support.load import production_databases, production_env
    from tests.support.nginx import Nginx, nginx_path

    with ExitStack() as resources:
        try:
            nginx_path()
            records, trackers, user = resources.enter_context(production_databases())
        except BaseException as error:  # pytest's skip and fail are BaseExceptions
            return {"skipped": f"{type(error).__name__}: {error}"}
        stack = Stack(
            data_dir=data_dir,
            proxy_url=proxy_url,
            database_url=records,
            extra_env=production_env(trackers, user, IN_HOURS),
        )
        resources.callback(stack.twilio_api.close)
        resources.callback(stack.stop_all)
        start_stack(stack)
        stack.start_instance("rasa2", "rasa")
        stack.wait_ready("rasa2", timeout=600)
        nginx = Nginx(data_dir / "nginx", {"rasa": [stack.rasa_url, stack.url_of("rasa2")]})
        resources.enter_context(nginx)
        stack.start_instance("api2", "api", PCL_RASA_URL=nginx.url("rasa"))
        stack.wait_ready("api2", timeout=600)

        async def both() -> tuple[Run, Run]:
            one, two = (
                WebWay(stack.api_url, "web, 1 rasa"),
                WebWay(stack.url_of("api2"), "web, 2 rasa"),
            )
            await measure(one, 2, 2)  # warm-up, as for the main table
            await measure(two, 2, 2)
            runs = await measure_level([one, two], concurrency, conversations)
            return runs[0], runs[1]

        one, two = asyncio.run(both())
    return {"one": one.summary(), "two": two.summary(), "ratio": ratio(two, one)}


def ratio(run: Run, bare: Run) -> float:
    return run.turns_per_second / bare.turns_per_second if bare.turns_per_second else math.nan


# --- the report -----------------------------------------------------------------------------


def plan(quick: bool, levels: list[int] | None) -> list[tuple[int, int]]:
    """(concurrency, conversations) per level."""
    chosen = levels or ([1, 10] if quick else [1, 10, 50])
    if quick:
        return [(c, max(c, 4)) for c in chosen]
    return [(c, max(2 * c, 10)) for c in chosen]


def fmt(value: float, digits: int = 0) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def table(runs: list[Run], bare: dict[int, Run]) -> str:
    head = (
        f"{'conc':>4} {'path':<12} {'conv':>5} {'turns':>6} {'err':>4} {'p50 ms':>8} "
        f"{'p95 ms':>8} {'p99 ms':>8} {'turns/s':>8} {'p50/bare':>9} {'p95/bare':>9} "
        f"{'tput/bare':>9}  CPU ms/turn: {'rasa':>5} {'actns':>5} {'api':>5}"
    )
    lines = [head, "-" * len(head)]
    for run in runs:
        base = bare.get(run.concurrency)
        p50r = run.percentile(50) / base.percentile(50) if base else math.nan
        p95r = run.percentile(95) / base.percentile(95) if base else math.nan
        tput = ratio(run, base) if base else math.nan
        lines.append(
            f"{run.concurrency:>4} {run.path:<12} {run.conversations:>5} {run.turns:>6} "
            f"{run.errors:>4} {fmt(run.percentile(50)):>8} {fmt(run.percentile(95)):>8} "
            f"{fmt(run.percentile(99)):>8} {fmt(run.turns_per_second, 2):>8} "
            f"{fmt(p50r, 2):>9} {fmt(p95r, 2):>9} {fmt(tput, 2):>9}              "
            f"{fmt(run.cpu_ms_per_turn('rasa')):>5} {fmt(run.cpu_ms_per_turn('actions')):>5} "
            f"{fmt(run.cpu_ms_per_turn('api')):>5}"
        )
    return "\n".join(lines)


def check(target: str, figure: str, met: bool) -> dict[str, Any]:
    return {"target": target, "figure": figure, "met": met}


def targets(runs: list[Run], bare: dict[int, Run], peak_total: int) -> list[dict[str, Any]]:
    checks: list[dict[str, Any]] = []
    most = 1 + MAX_LATENCY_OVERHEAD
    for run in runs:
        base = bare.get(run.concurrency)
        if run.path in ("rasa", "minimal") or base is None:
            continue
        if run.concurrency == 1:
            for p in (50, 95):
                mine, theirs = run.percentile(p), base.percentile(p)
                checks.append(
                    check(
                        f"{run.path} p{p} at 1 conversation <= {most:.2f}x bare Rasa's",
                        f"{mine:.0f} ms vs {theirs:.0f} ms = {mine / theirs:.2f}x",
                        mine / theirs <= most,
                    )
                )
        else:
            value = ratio(run, base)
            checks.append(
                check(
                    f"{run.path} throughput at {run.concurrency} >= {MIN_THROUGHPUT_RATIO}x "
                    "bare Rasa's, zero errors",
                    f"{run.turns_per_second:.2f} vs {base.turns_per_second:.2f} turns/s = "
                    f"{value:.2f}x; {run.errors} errors (bare Rasa: {base.errors})",
                    value >= MIN_THROUGHPUT_RATIO and run.errors == 0,
                )
            )
    checks.extend(minimal_targets(runs))
    checks.append(
        check(
            "whole stack resident < 2 GiB",
            f"peak {peak_total / GIB:.2f} GiB (sampled sum of the process groups' VmRSS)",
            peak_total < MAX_RESIDENT_BYTES,
        )
    )
    return checks


def against_minimal(runs: list[Run]) -> list[tuple[Run, Run]]:
    """(the assistant's Rasa, the minimal stock Rasa) at each level both were measured at."""
    minimal = {run.concurrency: run for run in runs if run.path == "minimal"}
    return [
        (run, minimal[run.concurrency])
        for run in runs
        if run.path == "rasa" and run.concurrency in minimal
    ]


def cpu_per_turn(runs: list[Run], group: str) -> float:
    turns = sum(run.turns for run in runs)
    seconds = sum(run.cpu_ms_per_turn(group) * run.turns for run in runs)
    return seconds / turns if turns else math.nan


def minimal_targets(runs: list[Run]) -> list[dict[str, Any]]:
    pairs = against_minimal(runs)
    checks = []
    for mine, stock in pairs:
        if mine.concurrency != MINIMAL_LEVEL:
            continue
        value = ratio(mine, stock)
        checks.append(
            check(
                f"assistant's Rasa throughput at {MINIMAL_LEVEL} >= "
                f"{MIN_MINIMAL_THROUGHPUT_RATIO}x a minimal stock Rasa's",
                f"{mine.turns_per_second:.2f} vs {stock.turns_per_second:.2f} turns/s = "
                f"{value:.2f}x; {mine.errors} errors (minimal: {stock.errors})",
                value >= MIN_MINIMAL_THROUGHPUT_RATIO and mine.errors == 0,
            )
        )
    if pairs:
        mine_cpu = cpu_per_turn([m for m, _ in pairs], "rasa")
        stock_cpu = cpu_per_turn([s for _, s in pairs], "rasa")
        checks.append(
            check(
                "assistant's Rasa CPU per turn <= a minimal stock Rasa's (all levels)",
                f"{mine_cpu:.1f} ms vs {stock_cpu:.1f} ms = {mine_cpu / stock_cpu:.2f}x",
                mine_cpu <= stock_cpu,
            )
        )
    return checks


async def measure_all(
    stack: Stack,
    wanted: list[str],
    schedule: list[tuple[int, int]],
    notes: list[str],
    groups: dict[str, int],
    *,
    minimal: MinimalRasa | None = None,
) -> list[Run]:
    """Every level on every way in, in one event loop; a warm-up conversation or two first."""
    ways: list[Way] = []
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=200)) as bare_http:
        if "rasa" in wanted:
            ways.append(RasaWay(stack.rasa_url, stack.token, bare_http))
        if minimal is not None:
            ways.append(MinimalWay(minimal.rasa_url, bare_http))
        if "web" in wanted:
            ways.append(WebWay(stack.api_url))
        if "sms" in wanted:
            why = await asyncio.to_thread(SmsWay.available, stack)
            if why:
                notes.append(f"sms row skipped: {why}")
            else:
                ways.append(SmsWay(stack))
        print("Warming up (a named child and a scenario on each way in)…", flush=True)
        for way in ways:
            await measure(way, 2, 2)
        runs = []
        names = ", ".join(way.name for way in ways)
        for concurrency, conversations in schedule:
            print(
                f"  {concurrency} at a time: {conversations} conversations on each of {names}…",
                flush=True,
            )
            runs.extend(await measure_level(ways, concurrency, conversations, groups))
        for way in ways:
            await way.aclose()
    return runs


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def run_everything(
    args: argparse.Namespace,
    report: dict[str, Any],
    schedule: list[tuple[int, int]],
    wanted: list[str],
) -> list[Run]:
    """The stack (and the minimal stock Rasa beside it) under load; the scale-out row."""
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="pcl-bench-") as tmp, OutboundRecorder() as outbound:
        extra_env = {"PCL_NOW": IN_HOURS}
        if args.no_fast_paths:
            extra_env["PCL_RASA_FAST_PATHS"] = "off"
            report["notes"].append("the assistant's Rasa ran without rasa_ext.fast_paths")
        stack = Stack(data_dir=Path(tmp) / "embedded", proxy_url=outbound.url, extra_env=extra_env)
        minimal = None
        if args.minimal_model and "rasa" in wanted:
            minimal = MinimalRasa(ROOT / args.minimal_model, Path(tmp) / "minimal")
        elif "rasa" in wanted:
            report["notes"].append("minimal row skipped: no --minimal-model (make bench trains it)")
        try:
            print("Starting the stack (embedded default)…", flush=True)
            report["startup_seconds"] = start_stack(stack)
            print(f"  start-up to /healthz 200: {report['startup_seconds']:.1f} s", flush=True)
            groups = {name: stack.processes[name].pid for name in PROCESSES}
            cpu_groups = dict(groups)
            if minimal is not None:
                print("Starting the minimal stock Rasa (scripts/minimal_rasa)…", flush=True)
                minimal.start()
                minimal.wait_ready()
                cpu_groups.update({name: p.pid for name, p in minimal.processes.items()})
            with MemoryWatch(groups) as memory:
                runs = asyncio.run(
                    measure_all(
                        stack, wanted, schedule, report["notes"], cpu_groups, minimal=minimal
                    )
                )
            report["memory"] = {
                "peak_total_bytes": memory.peak_total,
                "peak_hwm_bytes": memory.peak_hwm,
            }
            if outbound.attempts:
                report["notes"].append(f"outbound attempts caught: {outbound.attempts}")
        finally:
            if minimal is not None:
                minimal.stop()
            stack.stop_all()
            stack.twilio_api.close()
        if args.scaleout:
            top = max(c for c, _ in schedule)
            conversations = dict(schedule)[top]
            print(f"Scale-out row: production setup, {top} at a time…", flush=True)
            report["scaleout"] = scaleout_row(
                Path(tmp) / "production", outbound.url, top, conversations
            )

    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer conversations (development)")
    parser.add_argument("--json", metavar="OUT", help="also write the figures as JSON to OUT")
    parser.add_argument("--train", action="store_true", help="time a `rasa train` first")
    parser.add_argument(
        "--levels", help="comma-separated concurrency levels (default 1,10,50; quick 1,10)"
    )
    parser.add_argument(
        "--paths", default="rasa,web,sms", help="which ways in to measure (default all three)"
    )
    parser.add_argument(
        "--minimal-model",
        default=os.environ.get("PCL_MINIMAL_MODEL"),
        help="the minimal stock Rasa's trained model (make bench trains it); none: no such row",
    )
    parser.add_argument(
        "--no-fast-paths",
        action="store_true",
        help="the assistant's Rasa without rasa_ext.fast_paths (PCL_RASA_FAST_PATHS=off)",
    )
    parser.add_argument(
        "--scaleout",
        action="store_true",
        help="add one Rasa against two behind nginx (needs PostgreSQL, Redis, nginx)",
    )
    args = parser.parse_args()
    # `kill` (SIGTERM) unwinds like Ctrl-C does, so the stacks the bench started are stopped.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    levels = [int(x) for x in args.levels.split(",")] if args.levels else None
    schedule = plan(args.quick, levels)
    wanted = args.paths.split(",")
    report: dict[str, Any] = {
        "model": current_model().name,
        "machine": {"cores": os.cpu_count(), "load_before": os.getloadavg()},
        "notes": [],
    }
    if args.train:
        print("Training (rasa train into a temporary directory)…", flush=True)
        report["training_seconds"] = time_training()
        print(f"  training: {report['training_seconds']:.0f} s", flush=True)

    runs = run_everything(args, report, schedule, wanted)
    bare = {run.concurrency: run for run in runs if run.path == "rasa"}
    report["runs"] = [run.summary() for run in runs]
    report["against_minimal"] = [
        {
            "concurrency": mine.concurrency,
            "turns_per_second": [mine.turns_per_second, stock.turns_per_second],
            "throughput_ratio": ratio(mine, stock),
            "rasa_cpu_ms_per_turn": [mine.cpu_ms_per_turn("rasa"), stock.cpu_ms_per_turn("rasa")],
        }
        for mine, stock in against_minimal(runs)
    ]
    report["targets"] = targets(runs, bare, report["memory"]["peak_total_bytes"])
    print_report(report, runs, bare)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))
    return 0


def print_against_minimal(report: dict[str, Any]) -> None:
    if not report.get("against_minimal"):
        return
    print(
        "\nThe assistant's Rasa (the rasa row: its channel, model, patches and actions)"
        "\nagainst a minimal stock Rasa (scripts/minimal_rasa), in this run:"
    )
    for row in report["against_minimal"]:
        mine, stock = row["turns_per_second"]
        cpu_mine, cpu_stock = row["rasa_cpu_ms_per_turn"]
        print(
            f"  {row['concurrency']:>3} at a time: {mine:.2f} vs {stock:.2f} turns/s = "
            f"{row['throughput_ratio']:.2f}x; Rasa CPU {cpu_mine:.1f} vs {cpu_stock:.1f} "
            f"ms/turn = {cpu_mine / cpu_stock:.2f}x"
        )


def print_report(report: dict[str, Any], runs: list[Run], bare: dict[int, Run]) -> None:
    load = ", ".join(f"{x:.2f}" for x in report["machine"]["load_before"])
    print(f"\nModel {report['model']}; {report['machine']['cores']} cores; load before {load}")
    if "training_seconds" in report:
        print(f"Training: {report['training_seconds']:.0f} s")
    print(f"Start-up (processes started to /healthz 200): {report['startup_seconds']:.1f} s\n")
    print(table(runs, bare))
    errors = {f"{r.path}@{r.concurrency}": r.error_kinds for r in runs if r.error_kinds}
    if errors:
        print(f"errors by kind: {errors}")
    print(
        "\nCPU per turn is the steadiest measure of the layers' own cost on a busy machine: the"
        "\nAPI's CPU per turn against Rasa's and the action server's (bare Rasa's row):"
    )
    for run in runs:
        base = bare.get(run.concurrency)
        if run.path in ("rasa", "minimal") or base is None:
            continue
        under = base.cpu_ms_per_turn("rasa") + base.cpu_ms_per_turn("actions")
        mine = run.cpu_ms_per_turn("api")
        print(
            f"  {run.path}@{run.concurrency}: {mine:.1f} ms vs {under:.1f} ms = {mine / under:.0%}"
        )
    print_against_minimal(report)
    print("\nPeak resident memory per process group (sum of its processes' VmHWM):")
    for name, size in report["memory"]["peak_hwm_bytes"].items():
        print(f"  {name:<8} {size / 2**20:8.0f} MiB")
    peak = report["memory"]["peak_total_bytes"] / 2**20
    print(f"  stack    {peak:8.0f} MiB (sampled peak of the sum of VmRSS)")
    if "scaleout" in report:
        row = report["scaleout"]
        print("\nScale-out (production setup: PostgreSQL trackers, Redis locks):")
        if "skipped" in row:
            print(f"  skipped: {row['skipped']}")
        else:
            for key in ("one", "two"):
                r = row[key]
                print(
                    f"  {r['path']:<12} {r['concurrency']:>3} at a time: "
                    f"{r['turns_per_second']:.2f} turns/s, p50 {r['p50_ms']:.0f} ms, "
                    f"p95 {r['p95_ms']:.0f} ms, {r['errors']} errors"
                )
            print(f"  two Rasas / one: {row['ratio']:.2f}x throughput")
    print("\nTargets:")
    for item in report["targets"]:
        mark = "met    " if item["met"] else "NOT MET"
        print(f"  [{mark}] {item['target']}: {item['figure']}")
    for note in report["notes"]:
        print(f"note: {note}")


if __name__ == "__main__":
    sys.exit(main())
