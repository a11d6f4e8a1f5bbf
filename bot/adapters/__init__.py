"""Adapters: the database, crypto, passwords, settings, logs and outside services, behind
small interfaces. Nothing here is imported at package level: Rasa's environment imports
`bot.adapters.harm_phrases` and has none of the others' libraries."""
