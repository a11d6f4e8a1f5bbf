"""Thin Rasa custom actions: each reads the tracker, calls `bot/`, and answers."""
