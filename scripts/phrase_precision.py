"""How precise is each harm phrase pattern? (SPEC §2 rule 7: a certain signal acts at once.)

    .venv/bin/python scripts/phrase_precision.py [--extra FILE ...] [--mark] [--max-false N]

Matches every pattern of `bot/harm_phrases.yml` against every labelled message the project
has (the training data under `data/nlu/`, the held-out sets under `tests/nlu/`, and any
`--extra` file) and prints, per pattern, how many harm messages (significant_harm,
immediate_danger) and how many ordinary ones it matches, noisiest first.

A pattern that matches an ordinary message is not a certain signal: a professional asking
about MARAC or describing a bruise from PE would be told "significant harm" and flagged. With
`--mark`, every pattern that matches more than `--max-false` ordinary messages (default 0) is
written as `confirm: true` in the phrase file (the caller confirms it, as for the classifier),
and every other pattern as certain. The file's comments and layout are kept.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.adapters.harm_phrases import PHRASES_PATH, load_phrases, normalise  # noqa: E402

HARM = frozenset({"significant_harm", "immediate_danger"})
_ENTITY = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def labelled_messages(paths: list[Path]) -> list[tuple[str, bool]]:
    """(text, is harm) for every example in the NLU files."""
    messages = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            harm = block["intent"] in HARM
            for line in str(block.get("examples") or "").splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    messages.append((_ENTITY.sub(r"\1", text), harm))
    return messages


def measure(messages: list[tuple[str, bool]]) -> dict[tuple[str, int], list[int]]:
    """(category, pattern index) -> [harm matches, ordinary matches]."""
    from bot.domain.harm_signals import _first_match

    phrases = load_phrases()
    counts: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for text, harm in messages:
        normalised = normalise(text, phrases)
        for category in phrases.categories:
            for index, phrase in enumerate(category.phrases):
                if _first_match(phrase, normalised, phrases):
                    counts[(category.name, index)][0 if harm else 1] += 1
    return counts


def mark(path: Path, noisy: set[tuple[str, int]]) -> int:
    """Rewrites each pattern's `confirm:` line in the phrase file; the number marked."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: list[str] = []
    category, index, in_categories, marked = None, -1, False, 0
    for line in lines:
        if line.startswith("categories:"):
            in_categories = True
        if in_categories and re.match(r"^  [a-z_]+:\s*$", line):
            category, index = line.strip().rstrip(":"), -1
        if in_categories and re.match(r"^\s+confirm:", line):
            continue  # written again below, from the measurement
        out.append(line)
        if in_categories and re.match(r"^\s+- catches:", line):
            index += 1
        if in_categories and re.match(r"^\s+re:", line) and (category, index) in noisy:
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}confirm: true")
            marked += 1
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return marked


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--extra", type=Path, action="append", default=[])
    parser.add_argument("--mark", action="store_true")
    parser.add_argument("--max-false", type=int, default=0)
    args = parser.parse_args(argv)

    files = sorted((ROOT / "data" / "nlu").rglob("*.yml"))
    files += sorted((ROOT / "tests" / "nlu").glob("*.yml")) + args.extra
    messages = labelled_messages(files)
    harm_total = sum(harm for _, harm in messages)
    print(f"{len(messages)} messages ({harm_total} harm) from {len(files)} files")
    counts = measure(messages)
    phrases = load_phrases()
    print(f"\n{'ordinary':>8} {'harm':>5}  pattern")
    noisy = {key for key, (_, ordinary) in counts.items() if ordinary > args.max_false}
    for key, (harm, ordinary) in sorted(counts.items(), key=lambda kv: -kv[1][1]):
        if ordinary:
            catches = phrases_by_key(phrases)[key].catches
            print(f"{ordinary:>8} {harm:>5}  {key[0]}: {catches[:80]}")
    total = sum(len(c.phrases) for c in phrases.categories)
    print(f"\n{len(noisy)} of {total} patterns match more than {args.max_false} ordinary messages")
    if args.mark:
        marked = mark(PHRASES_PATH, noisy)
        load_phrases.cache_clear()
        print(f"marked {marked} patterns `confirm: true` in {PHRASES_PATH.relative_to(ROOT)}")
    return 0


def phrases_by_key(phrases):  # noqa: ANN001, ANN201 - a small lookup for the report
    return {
        (category.name, index): phrase
        for category in phrases.categories
        for index, phrase in enumerate(category.phrases)
    }


if __name__ == "__main__":
    sys.exit(main())
