"""Rasa's logistic-regression intent classifier with the two settings it hides.

Rasa 3.6's `LogisticRegressionClassifier` fixes the regularisation strength (C = 1) and feeds
raw n-gram counts, so a long message outweighs a short one and a word said twice counts twice.
Measured on the held-out sets (docs/nlu-pipeline.md), sublinear counts (1 + log n), each
message scaled to unit length, and weaker regularisation generalise better to wording the
training data does not have. Everything else (training, ranking, persistence) is Rasa's.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix
from sklearn.preprocessing import normalize


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TunedLogisticRegressionClassifier(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **LogisticRegressionClassifier.get_default_config(),
            # Inverse regularisation strength, as in scikit-learn.
            "C": 1.0,
            # "log": 1 + log(count) for each n-gram present; "count": Rasa's raw counts.
            "term_weighting": "log",
            # Scale each message's features to unit (L2) length.
            "normalize": True,
        }

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if float(config.get("C", 1.0)) <= 0:
            raise ValueError("C must be positive")
        if config.get("term_weighting", "log") not in ("log", "count"):
            raise ValueError("term_weighting must be 'log' or 'count'")

    def __init__(
        self,
        config: Dict[Text, Any],
        name: Text,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.validate_config(self.config)
        self.clf.set_params(C=float(self.config["C"]))

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        features = csr_matrix(super()._create_X(messages), dtype=np.float64)
        if self.config["term_weighting"] == "log":
            positive = features.data > 0
            features.data[positive] = 1.0 + np.log(features.data[positive])
        if self.config["normalize"]:
            features = normalize(features, norm="l2", copy=False)
        return features
