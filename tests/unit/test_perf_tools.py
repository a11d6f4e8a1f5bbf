"""The arithmetic of `make profile` and of the bench's minimal-Rasa row (no stack started)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load(name: str) -> ModuleType:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "scripts"))


def test_profile_shares_by_function_and_package() -> None:
    profile = load("profile_stack")
    raw = (
        "<module> (rasa:1);serve (sanic/server.py:3);validate (jsonschema/validators.py:9) 6\n"
        "<module> (rasa:1);serve (sanic/server.py:3);resolve (rasa/shared/events.py:5) 3\n"
        "<module> (rasa:1);connection_task (connection_task:1) 1\n"
        "garbage line\n"
    )
    total, own, inclusive, packages = profile.parse(raw)
    assert total == 10
    assert own["validate (jsonschema/validators.py:9)"] == 6
    assert inclusive["serve (sanic/server.py:3)"] == 9
    assert packages == {"sanic": 9, "jsonschema": 6, "rasa": 3}  # compiled frames left out
    table = profile.report("rasa", raw)
    assert " 60.0%  60.0%  validate (jsonschema/validators.py:9)" in table
    assert profile.report("api", "").endswith("(no samples)\n")


def test_the_assistants_rasa_is_held_against_the_minimal_one() -> None:
    bench = load("bench")

    def run(path: str, concurrency: int, turns: int, seconds: float, cpu: float) -> object:
        group = "minimal-rasa" if path == "minimal" else "rasa"
        alias = {"rasa": "minimal-rasa"} if path == "minimal" else {}
        return bench.Run(
            path,
            concurrency,
            turns=turns,
            seconds=seconds,
            cpu_seconds={group: cpu},
            cpu_alias=alias,
        )

    runs = [
        run("rasa", 1, 100, 10.0, 2.0),
        run("minimal", 1, 100, 5.0, 2.5),
        run("rasa", 10, 200, 8.0, 4.0),
        run("minimal", 10, 200, 10.0, 5.0),
    ]
    checks = bench.minimal_targets(runs)
    assert [c["met"] for c in checks] == [True, True], checks
    assert "25.00 vs 20.00 turns/s = 1.25x" in checks[0]["figure"]
    assert "20.0 ms vs 25.0 ms = 0.80x" in checks[1]["figure"]
    runs[2] = run("rasa", 10, 200, 12.0, 6.0)
    assert [c["met"] for c in bench.minimal_targets(runs)] == [False, False]
    assert bench.minimal_targets(runs[:1]) == []
