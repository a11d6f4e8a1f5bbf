#!/usr/bin/env python
"""Where each process of the stack spends its CPU: `make profile`.

Starts the stack as `make bench` does (embedded default, clock in the line's hours), attaches
py-spy to each process (rasa, actions, api), runs the bench's quick load (`--quick`: 1 and 10
conversations on each way in), stops py-spy and prints, for each process, the 20 functions
with the largest share of its samples: "self" is the share in which the function itself was
running, "total" the share in which it was on the stack at all. A second table per process
adds the samples up by package (the frame's top-level module), inclusive, so that "half of
Rasa's CPU is in jsonschema" reads off one line.

py-spy samples without pausing the process (--nonblocking), 100 times a second; it needs
ptrace (root, or kernel.yama.ptrace_scope 0). Output: the tables on standard output; --raw DIR
keeps py-spy's collapsed stacks for a flame graph.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench  # noqa: E402

from tests.support.outbound import OutboundRecorder  # noqa: E402
from tests.support.stack import PROCESSES, Stack  # noqa: E402

TOP = 20


def python_members(pgid: int) -> list[int]:
    """The Python processes of a process group (respawn's bash is left out)."""
    found = []
    for pid in bench._group_members(pgid):
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            continue
        if "python" in Path(exe).name:
            found.append(pid)
    return found


def py_spy() -> str:
    here = Path(sys.executable).parent / "py-spy"
    found = str(here) if here.exists() else shutil.which("py-spy")
    if not found:
        raise SystemExit("py-spy is missing: `make setup` installs it (requirements/app.lock)")
    return found


def frame_name(frame: str) -> str:
    """`function (path/to/module.py:12)` as py-spy writes it with -F."""
    return frame.strip()


def package_of(frame: str) -> str | None:
    """The top-level package of a frame's module; None for compiled or generated code (a
    Cython function, `<string>`, `<frozen ...>`), which has no module file."""
    inside = frame[frame.rfind("(") + 1 : frame.rfind(")")] if "(" in frame else ""
    path = inside.rsplit(":", 1)[0]
    if not path.endswith(".py") or path.startswith("<"):
        return None
    return path.split("/")[0].removesuffix(".py")


def parse(raw: str) -> tuple[int, Counter[str], Counter[str], Counter[str]]:
    """Collapsed stacks -> (samples, self counts, inclusive counts, inclusive by package)."""
    total = 0
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [frame_name(f) for f in stack.split(";") if f.strip()]
        if not frames:
            continue
        total += count
        own[frames[-1]] += count
        for name in set(frames):
            inclusive[name] += count
        for package in {package_of(f) for f in frames} - {None}:
            packages[package] += count  # type: ignore[index]
    return total, own, inclusive, packages


def report(name: str, raw: str) -> str:
    total, own, inclusive, packages = parse(raw)
    lines = [f"## {name}: {total} samples", ""]
    if not total:
        return "\n".join([*lines, "(no samples)", ""])
    lines += [f"{'self':>6} {'total':>6}  function (module:first line)", "-" * 72]
    for frame, count in own.most_common(TOP):
        lines.append(f"{count / total:>6.1%} {inclusive[frame] / total:>6.1%}  {frame}")
    lines += ["", f"{'total':>6}  package (inclusive)", "-" * 40]
    for package, count in packages.most_common(TOP):
        lines.append(f"{count / total:>6.1%}  {package}")
    return "\n".join([*lines, ""])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", metavar="DIR", help="keep py-spy's collapsed stacks in DIR")
    parser.add_argument("--levels", default="1,10", help="concurrency levels (default 1,10)")
    parser.add_argument("--paths", default="rasa,web,sms", help="ways in (default all three)")
    parser.add_argument(
        "--no-fast-paths",
        action="store_true",
        help="Rasa without rasa_ext.fast_paths (PCL_RASA_FAST_PATHS=off), for a before/after",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, bench._exit_on_sigterm)
    spy = py_spy()
    schedule = bench.plan(True, [int(x) for x in args.levels.split(",")])
    outputs: dict[str, list[Path]] = {}
    with tempfile.TemporaryDirectory(prefix="pcl-profile-") as tmp, OutboundRecorder() as out:
        extra_env = {"PCL_NOW": bench.IN_HOURS}
        if args.no_fast_paths:
            extra_env["PCL_RASA_FAST_PATHS"] = "off"
        stack = Stack(data_dir=Path(tmp) / "embedded", proxy_url=out.url, extra_env=extra_env)
        spies: list[subprocess.Popen[bytes]] = []
        try:
            print("Starting the stack (embedded default)…", flush=True)
            bench.start_stack(stack)
            groups = {name: stack.processes[name].pid for name in PROCESSES}
            for name, pgid in groups.items():
                for pid in python_members(pgid):
                    target = Path(tmp) / f"{name}-{pid}.txt"
                    outputs.setdefault(name, []).append(target)
                    spies.append(
                        subprocess.Popen(  # noqa: S603 - py-spy on the stack's own processes
                            [
                                spy,
                                "record",
                                "--pid",
                                str(pid),
                                "--format",
                                "raw",
                                "--function",
                                "--nonblocking",
                                "--rate",
                                "100",
                                "--output",
                                str(target),
                            ],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE,
                        )
                    )
            time.sleep(1.0)  # py-spy attached
            notes: list[str] = []
            asyncio.run(bench.measure_all(stack, args.paths.split(","), schedule, notes, groups))
            for note in notes:
                print(f"note: {note}")
        finally:
            for process in spies:
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            for process in spies:
                try:
                    _, err = process.communicate(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    err = b""
                if process.returncode not in (0, None) and err:
                    print(err.decode(errors="replace")[-500:], file=sys.stderr)
            stack.stop_all()
            stack.twilio_api.close()
        levels = ", ".join(str(c) for c, _ in schedule)
        fast = "off (PCL_RASA_FAST_PATHS=off)" if args.no_fast_paths else "on"
        print(
            f"\n# py-spy profile under the bench's quick load ({levels} at a time; "
            f"ways in: {args.paths}; rasa_ext.fast_paths {fast})\n"
        )
        for name in PROCESSES:
            raw = "".join(p.read_text() for p in outputs.get(name, []) if p.exists())
            print(report(name, raw))
            if args.raw:
                Path(args.raw).mkdir(parents=True, exist_ok=True)
                (Path(args.raw) / f"{name}.txt").write_text(raw)
    return 0


if __name__ == "__main__":
    sys.exit(main())
