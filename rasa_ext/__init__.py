"""Code that runs inside the Rasa server (Python 3.10 environment): the project's input
channel and, later, its tracker-store and NLU extensions. It may import `bot/` modules that
use only the standard library and PyYAML."""
