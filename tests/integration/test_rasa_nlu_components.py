"""The project's NLU components inside Rasa (Python 3.10 environment): the harm net's
probability threshold, the unknown-words guard and the tuned classifier's features. Each check
runs in Rasa's own interpreter, as the components do."""

from __future__ import annotations

import pytest

from tests.support.rasa_checks import run_in_rasa

PRELUDE = """
import warnings; warnings.filterwarnings("ignore")
from rasa.shared.nlu.training_data.message import Message
from rasa_ext.harm_net import HarmSafetyNet

def ranked(*pairs):
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]

def decide(text, intent, ranking, threshold=0.25, min_words=1):
    settings = {"harm_probability_threshold": threshold, "harm_probability_min_words": min_words}
    net = HarmSafetyNet.create(settings, None, None, None)
    top = {"name": intent, "confidence": ranking[0]["confidence"]}
    message = Message(data={"text": text, "intent": top, "intent_ranking": ranking})
    net.process([message])
    return message.get("intent")["name"], message.get("intent")["confidence"]
"""

CHECKS = {
    "harm intents together over the threshold win over the top intent": """
assert decide("he is quiet", "describe_concern",
    ranked(("describe_concern", 0.6), ("significant_harm", 0.15), ("immediate_danger", 0.1))
    ) == ("significant_harm", 1.0)
assert decide("he is quiet", "describe_concern",
    ranked(("describe_concern", 0.6), ("immediate_danger", 0.2), ("significant_harm", 0.1))
    ) == ("immediate_danger", 1.0)
""",
    "below the threshold the classifier's answer stands": """
assert decide("he is quiet", "describe_concern",
    ranked(("describe_concern", 0.8), ("significant_harm", 0.14), ("immediate_danger", 0.1))
    ) == ("describe_concern", 0.8)
""",
    "a short answer is not read as harm by the threshold": """
assert decide("severe", "inform", ranked(("inform", 0.5), ("significant_harm", 0.3)),
    min_words=4)[0] == "inform"
assert decide("he is very quiet", "inform", ranked(("inform", 0.5), ("significant_harm", 0.3)),
    min_words=4)[0] == "significant_harm"
""",
    "a fallback with a harm-heavy ranking goes to the handoff": """
assert decide("something odd", "nlu_fallback",
              ranked(("nlu_fallback", 0.3), ("inform", 0.28), ("significant_harm", 0.27))
              )[0] == "significant_harm"
""",
    "without a threshold only the first answer and the phrase list count": """
net = HarmSafetyNet.create({}, None, None, None)
ranking = ranked(("describe_concern", 0.4), ("significant_harm", 0.39))
message = Message(data={"text": "he is quiet", "intent": ranking[0], "intent_ranking": ranking})
net.process([message])
assert message.get("intent")["name"] == "describe_concern"
assert decide("she told me her dad hits her with a belt", "describe_concern",
              ranked(("describe_concern", 0.9)), threshold=None) == ("significant_harm", 1.0)
""",
    "an adult with no child in sight keeps the adults' route": """
assert decide("my elderly neighbour is being hit by her son", "adult_concern",
              ranked(("adult_concern", 0.6), ("significant_harm", 0.3)))[0] == "adult_concern"
""",
    "the phrase list makes a significant-harm answer immediate danger when it is now": """
assert decide("he is here now and says his stepdad will kill him if he goes home",
    "significant_harm", ranked(("significant_harm", 0.7))) == ("immediate_danger", 1.0)
assert decide("she told me her dad hits her with a belt",
    "significant_harm", ranked(("significant_harm", 0.7))) == ("significant_harm", 1.0)
""",
    "a noisy pattern alone needs a little harm probability; a certain or urgent one does not": """
def floored(text, ranking):
    net = HarmSafetyNet.create({"harm_probability_threshold": 0.5,
                                "confirm_pattern_min_probability": 0.03}, None, None, None)
    message = Message(data={"text": text, "intent": dict(ranking[0]), "intent_ranking": ranking})
    net.process([message])
    return message.get("intent")["name"], (message.get("harm_signal") or {}).get("certain")

from bot.adapters.harm_phrases import detect
noisy = "She told me her stepdad hits her with a belt"
certain = "She said her mum's boyfriend touched her inappropriately"
assert detect(noisy).significant_harm and not detect(noisy).certain
assert floored(noisy, ranked(("describe_concern", 0.98), ("significant_harm", 0.02))
               ) == ("describe_concern", None)
assert floored(noisy, ranked(("describe_concern", 0.9), ("significant_harm", 0.05))
               ) == ("significant_harm", False)
assert floored(certain, ranked(("describe_concern", 0.999), ("significant_harm", 0.001))
               ) == ("significant_harm", True)
urgent = "he's outside the school now with a knife"
assert detect(urgent).immediate_danger and not detect(urgent).certain
assert floored(urgent, ranked(("describe_concern", 0.999), ("significant_harm", 0.001))
               ) == ("immediate_danger", False)
for bad in (-0.1, 1, 2):
    try:
        HarmSafetyNet.create({"confirm_pattern_min_probability": bad}, None, None, None)
    except ValueError:
        continue
    raise AssertionError(bad)
""",
    "a threshold outside (0, 1] is refused": """
for bad in (0, -0.1, 1.5):
    try:
        HarmSafetyNet.create({"harm_probability_threshold": bad}, None, None, None)
    except ValueError:
        continue
    raise AssertionError(bad)
""",
    "a choice made only of words never met is not understood; a name is taken as written": """
import numpy as np
from scipy.sparse import coo_matrix
from rasa.shared.nlu.training_data.features import Features
from rasa_ext.unknown_words import UnknownWordsGuard

guard = UnknownWordsGuard.create({"word_featurizer": "words", "taken_as_written": ["inform"]},
                                 None, None, None)

def after(text, intent, known_words):
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.8}})
    for origin, counts in (("words", [known_words, 0]), ("chars", [3, 1])):
        message.add_features(Features(coo_matrix(np.array([counts])), "sentence", "text", origin))
    guard.process([message])
    return message.get("intent")["confidence"]

assert after("blorptastic frumple", "professional", 0) == 0.0
assert after("xqzv blorp", "out_of_scope", 0) == 0.0
assert after("health visitor", "professional", 2) == 0.8
assert after("Kacper Nowak", "inform", 0) == 0.8
assert after("DE23 8QT", "professional", 0) == 0.8
assert after("j.nowak@example.org", "stop", 0) == 0.8
assert after("?!", "help", 0) == 0.8
for bad in ({}, {"word_featurizer": ""}):
    try:
        UnknownWordsGuard.create(bad, None, None, None)
    except ValueError:
        continue
    raise AssertionError(bad)
""",
    "the classifier's features are sublinear and of unit length": """
import numpy as np
from scipy.sparse import csr_matrix
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa_ext.intent_classifier import TunedLogisticRegressionClassifier as Tuned

class Stub(Tuned):
    def __init__(self, config):
        self.config = {**Tuned.get_default_config(), **config}
raw = csr_matrix(np.array([[1.0, 0.0, 4.0], [0.0, 0.0, 0.0]]))
original, LogisticRegressionClassifier._create_X = (
    LogisticRegressionClassifier._create_X, lambda self, messages: raw)
try:
    features = Stub({})._create_X([]).toarray()
    plain = Stub({"term_weighting": "count", "normalize": False})._create_X([]).toarray()
finally:
    LogisticRegressionClassifier._create_X = original
expected = np.array([1.0, 0.0, 1.0 + np.log(4.0)])
assert np.allclose(features[0], expected / np.linalg.norm(expected)), features
assert np.allclose(features[1], 0.0), features
assert np.allclose(plain, raw.toarray())
for bad in ({"C": 0}, {"term_weighting": "tfidf"}):
    try:
        Tuned.validate_config({**Tuned.get_default_config(), **bad})
    except ValueError:
        continue
    raise AssertionError(bad)
""",
}


@pytest.fixture(scope="module")
def failures() -> dict[str, str]:
    return run_in_rasa(PRELUDE, CHECKS)


@pytest.mark.parametrize("name", list(CHECKS))
def test_rasa_nlu_component(name: str, failures: dict[str, str]) -> None:
    assert name not in failures, failures.get(name)
