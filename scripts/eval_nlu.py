"""Evaluate the NLU pipeline on held-out messages it never saw (SPEC §3, "Safety first").

    .venv/bin/python scripts/eval_nlu.py [--config config.yml] [--heldout FILE ...]
                                         [--json OUT] [--strict]

Trains an NLU model with the given config on `data/nlu` only (in a temporary directory, with
an empty Rasa cache so the training time is honest), parses every held-out message with it,
and prints:

- per-intent precision, recall and F1 and the macro-F1 (the intent Rasa hands the dialogue,
  after the FallbackClassifier: `nlu_fallback` counts as a wrong answer);
- the recall of significant-harm and immediate-danger messages: by the classifier alone (its
  intent is `significant_harm` or `immediate_danger`), by the phrase safety net alone
  (`bot.harm_signals.detect(text).significant_harm`), and by both together, which is what
  the conversation acts on; the missed messages are listed with their text (the held-out
  sets are synthetic test data, never caller data);
- how often the classifier and the net call a message about something else harm (the price of
  their recall);
- the training time (wall clock and CPU: the machine may be shared).

A phrase safety net component in the config's pipeline (`...HarmSafetyNet`) is taken out for
training, so the classifier is measured alone; it is then applied to the classifier's answers
for the "as deployed" figures.

Targets, over all the held-out files together (each file's figures are shown too): harm
recall (classifier + net) 1.00, classifier macro-F1 >= 0.90. With `--strict` the exit status
is 1 when a target is missed; without it the script only reports.

A held-out message that is a training example but for case, spacing and punctuation (a
"yes" or a "hi" both sets have) is left out: the model saw it. The count is printed.

Runs on the project's Python 3.11 environment; the training and parsing run in one Python
3.10 subprocess under `.venv-rasa`. A held-out file that does not exist is skipped with a note.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
HARM_INTENTS = frozenset({"significant_harm", "immediate_danger"})
FALLBACK_INTENT = "nlu_fallback"
TARGET_HARM_RECALL = 1.0
TARGET_MACRO_F1 = 0.90
# Rule 7 (SPEC §2): at most 1 ordinary message in 40 ends in a flagged contact or an alert, and
# at most 1 in 10 is given the urgent routes or the confirming question at all.
TARGET_FLAGGED = 1 / 40
# What a professional may type when asked "are you contacting us as a professional?".
ROLE_ANSWERS = frozenset({"professional", "dhcft_health_staff", "describe_concern", "inform"})
TARGET_ASKED = 1 / 10

# Runs under .venv-rasa (Python 3.10): trains on the NLU data, parses the held-out messages.
# argv: config, nlu data dir, domain (or ""), output dir, result JSON, held-out files...
# A phrase safety net component in the pipeline (a name ending in NET_SUFFIX) is taken out
# before training, so that the classifier is measured on its own; it is then applied to the
# classifier's answers, which gives the intent the dialogue would see ("deployed").
_RASA_HELPER = r"""
import asyncio, importlib, json, logging, sys, time, warnings
warnings.filterwarnings("ignore")
logging.disable(logging.WARNING)
config, nlu_data, domain, out_dir, result_path, *heldout = sys.argv[1:]
NET_SUFFIX = "HarmSafetyNet"
HARM = ("significant_harm", "immediate_danger")

import yaml
from rasa.model_training import train_nlu
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message

with open(config, encoding="utf-8") as handle:
    settings = yaml.safe_load(handle)
pipeline = settings.get("pipeline") or []
nets = [c for c in pipeline if str(c.get("name", "")).endswith(NET_SUFFIX)]
settings["pipeline"] = [c for c in pipeline if c not in nets]
import os
os.makedirs(out_dir, exist_ok=True)
classifier_config = os.path.join(out_dir, "config-without-net.yml")
with open(classifier_config, "w", encoding="utf-8") as handle:
    yaml.safe_dump(settings, handle)

started, started_cpu = time.perf_counter(), time.process_time()
model_path = train_nlu(config=classifier_config, nlu_data=nlu_data, output=out_dir,
                       fixed_model_name="eval-nlu", domain=domain or None)
train_seconds = time.perf_counter() - started
train_cpu_seconds = time.process_time() - started_cpu
if not model_path:
    sys.exit("training produced no model")

net_components = []
for spec in nets:
    module_name, class_name = spec["name"].rsplit(".", 1)
    cls = getattr(importlib.import_module(module_name), class_name)
    options = {**cls.get_default_config(), **{k: v for k, v in spec.items() if k != "name"}}
    net_components.append(cls.create(options, None, None, None))

from rasa.core.agent import Agent

agent = Agent.load(model_path)

def deployed(text, parsed):
    # The intent the dialogue sees, and whether the harm signal is certain (rule 7).
    if not net_components:
        return parsed["intent"]["name"], False
    message = Message(data={"text": text, "intent": dict(parsed["intent"]),
                            "intent_ranking": list(parsed.get("intent_ranking") or [])})
    for component in net_components:
        component.process([message])
    return message.get("intent")["name"], bool((message.get("harm_signal") or {}).get("certain"))

async def parse_all(items):
    results = []
    for item in items:
        parsed = await agent.parse_message(item["text"])
        ranking = [r for r in parsed.get("intent_ranking", []) if r["name"] != "nlu_fallback"]
        intent, certain = deployed(item["text"], parsed)
        results.append({
            **item,
            "predicted": parsed["intent"]["name"],
            "confidence": parsed["intent"].get("confidence"),
            "top_intent": ranking[0]["name"] if ranking else None,
            "top_confidence": ranking[0]["confidence"] if ranking else None,
            # What the net's probability threshold reads (for studying thresholds).
            "harm_probability": sum(r["confidence"] for r in ranking if r["name"] in HARM),
            "deployed": intent,
            "certain": certain,
        })
    return results

# A held-out message that is, but for case, spacing and punctuation, a training example ("yes",
# "hi") was seen in training: it is left out and counted.
import re
def key(text):
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())
seen = {key(example.get("text")) for example in load_data(nlu_data).intent_examples}
items, left_out = [], {}
for path in heldout:
    for example in load_data(path).intent_examples:
        if key(example.get("text")) in seen:
            left_out[path] = left_out.get(path, 0) + 1
            continue
        items.append({"file": path, "text": example.get("text"), "intent": example.get("intent")})

started = time.perf_counter()
predictions = asyncio.run(parse_all(items))
parse_seconds = time.perf_counter() - started
with open(result_path, "w", encoding="utf-8") as handle:
    json.dump({"train_seconds": train_seconds, "train_cpu_seconds": train_cpu_seconds,
               "parse_seconds": parse_seconds,
               "net_components": [spec["name"] for spec in nets],
               "left_out": left_out,
               "predictions": predictions}, handle)
"""


def run_rasa(config: Path, heldout: list[Path]) -> dict[str, Any]:
    """Train with `config` on data/nlu and parse every held-out message; the helper's JSON."""
    if not RASA_PYTHON.exists():
        sys.exit(f"{RASA_PYTHON} not found: run `make setup` first")
    domain = ROOT / "domain.yml"
    with tempfile.TemporaryDirectory(prefix="eval-nlu-") as tmp:
        env = {
            **os.environ,
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            # An empty cache: nothing is reused from an earlier training, so the time is real.
            "RASA_CACHE_DIRECTORY": str(Path(tmp) / "cache"),
            "PYTHONPATH": str(ROOT),
        }
        result_path = Path(tmp) / "result.json"
        command = [
            str(RASA_PYTHON),
            "-c",
            _RASA_HELPER,
            str(config),
            str(ROOT / "data" / "nlu"),
            str(domain) if domain.exists() else "",
            str(Path(tmp) / "models"),
            str(result_path),
            *map(str, heldout),
        ]
        completed = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        if completed.returncode != 0 or not result_path.exists():
            sys.stderr.write(completed.stdout[-4000:] + completed.stderr[-8000:])
            sys.exit(f"training or parsing failed (exit status {completed.returncode})")
        return json.loads(result_path.read_text(encoding="utf-8"))


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def intent_scores(gold: list[str], predicted: list[str]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support for every intent in the gold labels."""
    scores = {}
    for intent in sorted(set(gold)):
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == intent and p == intent)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != intent and p == intent)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == intent and p != intent)
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        f1 = _ratio(2 * precision * recall, precision + recall) if precision + recall else 0.0
        scores[intent] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return scores


def summarise(predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """Macro-F1, accuracy and the harm recalls for one set of predictions."""
    gold = [p["intent"] for p in predictions]
    predicted = [p["predicted"] for p in predictions]
    scores = intent_scores(gold, predicted)
    # The classifier's own top intent, as if there were no FallbackClassifier: shows what the
    # fallback threshold costs (the figure that counts is the one above).
    top = [p["top_intent"] or FALLBACK_INTENT for p in predictions]
    top_scores = intent_scores(gold, top)
    deployed_scores = intent_scores(gold, [p["deployed"] for p in predictions])
    harm = [p for p in predictions if p["intent"] in HARM_INTENTS]
    other = [p for p in predictions if p["intent"] not in HARM_INTENTS]
    return {
        "messages": len(predictions),
        "accuracy": _ratio(sum(g == p for g, p in zip(gold, predicted, strict=True)), len(gold)),
        "macro_f1": _ratio(sum(s["f1"] for s in scores.values()), len(scores)),
        "macro_f1_without_fallback": _ratio(
            sum(s["f1"] for s in top_scores.values()), len(top_scores)
        ),
        "macro_f1_deployed": _ratio(
            sum(s["f1"] for s in deployed_scores.values()), len(deployed_scores)
        ),
        "fallbacks": sum(p == FALLBACK_INTENT for p in predicted),
        "harm_messages": len(harm),
        "harm_recall_classifier": _ratio(sum(p["by_classifier"] for p in harm), len(harm)),
        "harm_recall_net": _ratio(sum(p["by_net"] for p in harm), len(harm)),
        "harm_recall_combined": _ratio(sum(p["caught"] for p in harm), len(harm)),
        "harm_recall_deployed": _ratio(sum(p["deployed"] in HARM_INTENTS for p in harm), len(harm)),
        "net_fires_on_other": sum(p["by_net"] for p in other),
        # Rule 7 as the IRT counts it (see `outcome`): urgent routes in the first reply for
        # every harm message; on ordinary messages, flagged contacts and the urgent routes or
        # the confirming question at all; professionals told "this line is for professionals".
        "urgent_routes_recall": _ratio(sum(p["outcome"] != "none" for p in harm), len(harm)),
        "harm_missed": sum(p["outcome"] == "none" for p in harm),
        "flagged_on_other": sum(p["outcome"] == "flagged" for p in other),
        "urgent_on_other": sum(p["outcome"] != "none" for p in other),
        "professionals": sum(p["intent"] != "member_of_public" for p in other),
        "turned_away": sum(p["turned_away"] for p in other),
        "classifier_harm_on_other": sum(p["by_classifier"] for p in other),
        "other_messages": len(other),
        "per_intent": scores,
    }


def outcome(p: dict[str, Any]) -> str:
    """What the first reply to a message does (rule 7): "flagged" (a certain signal: the
    concern is confirmed and, for a named child, flagged and alerted), "confirm" (the urgent
    routes and the confirming question, nothing flagged unless the caller says yes) or
    "none"."""
    if p["deployed"] not in HARM_INTENTS:
        return "none"
    return "flagged" if p.get("certain") else "confirm"


def evaluate(result: dict[str, Any]) -> dict[str, Any]:
    """Add the safety net's verdicts to the predictions and compute every figure."""
    sys.path.insert(0, str(ROOT))
    from bot.adapters.harm_phrases import detect
    from bot.domain.consultation import PUBLIC, role_from

    predictions = result["predictions"]
    for p in predictions:
        p["outcome"] = outcome(p)
        # Told "this line is for professionals": a message the public route takes (its check
        # reads role_from), or one a professional would type in answer to "are you contacting
        # us as a professional?" (the form's check reads role_from too).
        p["turned_away"] = (
            p["intent"] != "member_of_public"
            and (p["deployed"] == "member_of_public" or p["intent"] in ROLE_ANSWERS)
            and role_from(p["deployed"], p["text"]) == PUBLIC
        )
        p["by_classifier"] = p["predicted"] in HARM_INTENTS
        p["by_net"] = detect(p["text"]).significant_harm
        # The net also acts on the classifier's whole ranking (a harm-probability threshold):
        # what the deployed pipeline answers counts as caught too.
        p["caught"] = p["by_classifier"] or p["by_net"] or p["deployed"] in HARM_INTENTS
    files = sorted({p["file"] for p in predictions}, key=[p["file"] for p in predictions].index)
    return {
        "train_seconds": result["train_seconds"],
        "train_cpu_seconds": result["train_cpu_seconds"],
        "parse_seconds": result["parse_seconds"],
        "net_components": result.get("net_components", []),
        "left_out": result.get("left_out", {}),
        "overall": summarise(predictions),
        "per_file": {f: summarise([p for p in predictions if p["file"] == f]) for f in files},
        "predictions": predictions,
    }


def _rel(path: str | Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def report_rule_7(figures: dict[str, Any]) -> None:
    """Rule 7 as the IRT counts it, per file: the urgent routes on harm, and the price paid on
    ordinary messages (flagged contacts; urgent routes or the confirming question at all;
    professionals turned away), with every flagged or turned-away message listed."""
    overall, predictions = figures["overall"], figures["predictions"]
    print(
        f"\n{'rule 7, first reply':<36} {'harm n':>6} {'urgent':>7} {'other n':>7} "
        f"{'flagged':>9} {'urgent or asked':>15} {'turned away':>11}"
    )
    for name, s in [*figures["per_file"].items(), ("all files", overall)]:
        other = s["other_messages"]
        print(
            f"{_rel(name):<36} {s['harm_messages']:>6} {s['urgent_routes_recall']:>7.3f} "
            f"{other:>7} {s['flagged_on_other']:>4} {_ratio(s['flagged_on_other'], other):>4.3f} "
            f"{s['urgent_on_other']:>6} {_ratio(s['urgent_on_other'], other):>8.3f} "
            f"{s['turned_away']:>11}"
        )
    for p in predictions:
        if p["intent"] not in HARM_INTENTS and p["outcome"] == "flagged":
            print(f"  flagged [{p['intent']}]: {p['text']}")
    for p in predictions:
        if p["turned_away"]:
            print(f"  turned away [{p['intent']} -> {p['deployed']}]: {p['text']}")


def report(figures: dict[str, Any], config: Path) -> None:
    overall, predictions = figures["overall"], figures["predictions"]
    print(f"\nNLU evaluation: config {_rel(config)}, trained on data/nlu only")
    for name in figures["net_components"]:
        print(
            f"{name} is taken out for training and the classifier's figures; 'as deployed' "
            "applies it to the classifier's answers"
        )
    print(
        f"training time {figures['train_seconds']:.1f} s "
        f"({figures['train_cpu_seconds']:.1f} s CPU); parsing {len(predictions)} "
        f"held-out messages {figures['parse_seconds']:.1f} s\n"
    )

    for name, count in figures["left_out"].items():
        print(f"{_rel(name)}: {count} messages left out (verbatim in the training data)")
    print(f"\n{'intent':<20} {'precision':>9} {'recall':>7} {'F1':>6} {'n':>4}")
    for intent, s in overall["per_intent"].items():
        flag = "  <" if s["f1"] < TARGET_MACRO_F1 else ""
        print(
            f"{intent:<20} {s['precision']:>9.2f} {s['recall']:>7.2f} {s['f1']:>6.2f} "
            f"{s['support']:>4}{flag}"
        )

    confusions = Counter(
        (p["intent"], p["predicted"]) for p in predictions if p["intent"] != p["predicted"]
    )
    if confusions:
        print("\nmost frequent confusions (expected -> predicted: count)")
        for (expected, got), count in confusions.most_common(12):
            print(f"  {expected} -> {got}: {count}")

    if len(figures["per_file"]) > 1:
        print(
            f"\n{'held-out file':<36} {'n':>4} {'macro-F1':>8} {'harm n':>6} "
            f"{'clf':>5} {'net':>5} {'both':>5} {'deployed':>8} {'false alarms clf/net':>21}"
        )
        for name, s in figures["per_file"].items():
            print(
                f"{_rel(name):<36} {s['messages']:>4} {s['macro_f1']:>8.3f} "
                f"{s['harm_messages']:>6} {s['harm_recall_classifier']:>5.2f} "
                f"{s['harm_recall_net']:>5.2f} {s['harm_recall_combined']:>5.2f} "
                f"{s['harm_recall_deployed']:>8.2f} "
                f"{s['classifier_harm_on_other']:>9}/{s['net_fires_on_other']} "
                f"of {s['other_messages']}"
            )

    report_rule_7(figures)

    missed = [p for p in predictions if p["intent"] in HARM_INTENTS and not p["caught"]]
    print(f"\nharm messages missed by both the classifier and the net: {len(missed)}")
    for p in missed:
        print(f"  [{p['intent']} -> {p['predicted']}] {p['text']}")
    if figures["net_components"]:
        lost = [
            p
            for p in predictions
            if p["intent"] in HARM_INTENTS and p["caught"] and p["deployed"] not in HARM_INTENTS
        ]
        print(f"caught by classifier or net but not by the deployed pipeline: {len(lost)}")
        for p in lost:
            print(f"  [{p['intent']} -> {p['deployed']}] {p['text']}")

    print("\nsummary")
    rows = [
        ("held-out messages", f"{overall['messages']}"),
        ("intent macro-F1", f"{overall['macro_f1']:.3f}  (target >= {TARGET_MACRO_F1:.2f})"),
        ("intent accuracy", f"{overall['accuracy']:.3f}"),
        ("answered nlu_fallback", f"{overall['fallbacks']}"),
        ("macro-F1 without fallback", f"{overall['macro_f1_without_fallback']:.3f}"),
        ("harm messages", f"{overall['harm_messages']}"),
        ("harm recall, classifier", f"{overall['harm_recall_classifier']:.3f}"),
        ("harm recall, net", f"{overall['harm_recall_net']:.3f}"),
        ("harm recall, together", f"{overall['harm_recall_combined']:.3f}  (target 1.00)"),
        (
            "false alarms, classifier",
            f"{overall['classifier_harm_on_other']} of {overall['other_messages']} non-harm",
        ),
        (
            "false alarms, net",
            f"{overall['net_fires_on_other']} of {overall['other_messages']} non-harm",
        ),
        (
            "rule 7: urgent routes",
            f"{overall['urgent_routes_recall']:.3f} of harm messages  (target 1.00)",
        ),
        (
            "rule 7: flagged",
            f"{overall['flagged_on_other']} of {overall['other_messages']} ordinary "
            f"({_ratio(overall['flagged_on_other'], overall['other_messages']):.3f}; "
            f"target <= {TARGET_FLAGGED:.3f})",
        ),
        (
            "rule 7: urgent or asked",
            f"{overall['urgent_on_other']} of {overall['other_messages']} ordinary "
            f"({_ratio(overall['urgent_on_other'], overall['other_messages']):.3f}; "
            f"target <= {TARGET_ASKED:.2f})",
        ),
        ("professionals turned away", f"{overall['turned_away']}  (target 0)"),
        (
            "training time",
            f"{figures['train_seconds']:.1f} s ({figures['train_cpu_seconds']:.1f} s CPU)",
        ),
    ]
    if figures["net_components"]:
        rows[5:5] = [
            ("macro-F1 as deployed", f"{overall['macro_f1_deployed']:.3f}  (with the net)"),
        ]
        together = [label for label, _ in rows].index("harm recall, together")
        rows.insert(
            together + 1, ("harm recall, as deployed", f"{overall['harm_recall_deployed']:.3f}")
        )
    for label, value in rows:
        print(f"  {label:<26} {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument(
        "--heldout",
        type=Path,
        action="append",
        help="held-out NLU file (repeatable); default every tests/nlu/heldout*.yml",
    )
    parser.add_argument("--json", type=Path, help="also write every figure and prediction here")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    heldout = []
    for path in args.heldout or sorted((ROOT / "tests" / "nlu").glob("heldout*.yml")):
        if path.exists():
            heldout.append(path.resolve())
        else:
            print(f"note: held-out file {path} does not exist; skipped")
    if not heldout:
        print("no held-out file to evaluate", file=sys.stderr)
        return 2
    if not args.config.exists():
        print(f"config {args.config} not found", file=sys.stderr)
        return 2

    started = time.perf_counter()
    figures = evaluate(run_rasa(args.config.resolve(), heldout))
    report(figures, args.config)
    print(f"  {'whole evaluation':<26} {time.perf_counter() - started:.1f} s")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        summary = {"config": _rel(args.config), "heldout": [_rel(h) for h in heldout], **figures}
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")

    overall = figures["overall"]
    other = overall["other_messages"]
    missed_targets = [
        name
        for name, ok in (
            ("harm recall", overall["harm_recall_combined"] >= TARGET_HARM_RECALL),
            ("urgent routes", overall["urgent_routes_recall"] >= TARGET_HARM_RECALL),
            ("macro-F1", overall["macro_f1"] >= TARGET_MACRO_F1),
            ("flagged", _ratio(overall["flagged_on_other"], other) <= TARGET_FLAGGED),
            ("urgent or asked", _ratio(overall["urgent_on_other"], other) <= TARGET_ASKED),
            ("turned away", overall["turned_away"] == 0),
        )
        if not ok
    ]
    if missed_targets:
        print(f"\ntarget missed: {', '.join(missed_targets)}")
        return 1 if args.strict else 0
    print("\nall targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
