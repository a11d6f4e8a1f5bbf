"""The domain: the service's rules with no framework and no I/O (standard library and small
pure libraries only). Also imported inside Rasa's Python 3.10 environment (the harm signals)."""
