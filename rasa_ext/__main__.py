"""`python -m rasa_ext ARGS` is Rasa's command line, `rasa ARGS`, with skops imported first.

skops.io, which Rasa's logistic-regression classifier saves and loads with, lists at import the
numpy and scipy functions it trusts by searching every loaded module for each of them
(pickle.whichmodule). Rasa imports TensorFlow's ~6,000 modules first, and then that search
costs about 7 s of CPU in every Rasa process that loads or trains a model; before them it costs
about 2 s. The Procfile and the Makefile start Rasa this way (docs/benchmarks.md#timings)."""

import sys

import skops.io  # noqa: F401  (imported for its side effect: before TensorFlow)
from rasa.__main__ import main

if __name__ == "__main__":
    sys.argv[0] = "rasa"  # the name Rasa's help and errors show
    main()
