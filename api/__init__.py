"""The FastAPI service: web chat, Twilio webhook, IRT review and health."""
