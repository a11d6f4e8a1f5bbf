"""The rate limits as the routes apply them (the counting is bot.adapters.rate_limits), and what
a limited caller gets: never silence. The chat's 429 keeps the chat's JSON shape and an SMS
gets TwiML, both with the urgent routes (999, where to call now, the online form); sign-in gets
a 429 that says when to try again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from limits import RateLimitItem

from api.client_address import client_address
from bot.adapters.rate_limits import RateLimiter, Verdict, parse_limit
from bot.adapters.settings import Settings
from bot.domain.facts import ServiceFacts
from bot.domain.messages import urgent_routes

logger = logging.getLogger("api.rate_limits")

SIGN_IN_LIMITED = "Too many sign-in attempts from here. Wait a minute, then try again."
SIGN_IN_BUSY = "The service is busy checking other sign-ins. Try again in a few seconds."


@dataclass(frozen=True)
class Limits:
    """The parsed limits and the limiter that counts them."""

    limiter: RateLimiter
    trusted_proxies: frozenset[str]
    chat_client: RateLimitItem
    chat_conversation: RateLimitItem
    sms_sender: RateLimitItem
    sign_in_client: RateLimitItem
    sign_in_account: RateLimitItem

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            limiter=RateLimiter(
                settings.hmac_key.get_secret_value(),
                settings.redis_url.get_secret_value(),
                enabled=settings.rate_limits_on,
            ),
            trusted_proxies=settings.trusted_proxy_addresses,
            chat_client=parse_limit(settings.rate_limit_chat_client),
            chat_conversation=parse_limit(settings.rate_limit_chat_conversation),
            sms_sender=parse_limit(settings.rate_limit_sms_sender),
            sign_in_client=parse_limit(settings.rate_limit_sign_in_client),
            sign_in_account=parse_limit(settings.rate_limit_sign_in_account),
        )

    def client_of(self, request: Request) -> str:
        return client_address(request, self.trusted_proxies)

    def client_key(self, client: str) -> str:
        """The client's address as a keyed hash (for the sign-in lock's table): never the
        address itself."""
        return self.limiter.pseudonym("client", client)

    def caller_key(self, request: Request) -> str:
        """The web caller for Rasa's metadata (the contacts it flags are counted per client):
        its address as the same keyed hash, never the address."""
        return self.limiter.pseudonym("client", self.client_of(request))

    def sender_key(self, sender_id: str) -> str:
        """An SMS sender (bot.domain.privacy.sms_sender_id) as a client, hashed likewise."""
        return self.limiter.pseudonym("client", sender_id)

    def chat(self, request: Request, conversation: str) -> Verdict:
        verdict = self.limiter.hit(self.chat_client, "chat-client", self.client_of(request))
        if verdict.allowed:
            verdict = self.limiter.hit(self.chat_conversation, "chat-conversation", conversation)
        if not verdict.allowed:
            logger.warning("rate_limit.chat")
        return verdict

    def sms(self, sender_id: str) -> Verdict:
        verdict = self.limiter.hit(self.sms_sender, "sms-sender", sender_id)
        if not verdict.allowed:
            logger.warning("rate_limit.sms")
        return verdict

    def sign_in_attempt(self, client: str) -> Verdict:
        """Counts a sign-in attempt from this client address (`client_of`)."""
        verdict = self.limiter.hit(self.sign_in_client, "sign-in-client", client)
        if not verdict.allowed:
            logger.warning("rate_limit.sign_in.client")
        return verdict

    def sign_in_failure(self, username: str) -> Verdict:
        """Counts a failed sign-in for the account (whatever the client); when over the limit
        the account is being guessed from many places, and its sign-ins wait."""
        return self.limiter.hit(self.sign_in_account, "sign-in-account", username.casefold())

    def account_is_limited(self, username: str) -> bool:
        if not self.limiter.enabled:
            return False
        return not self.limiter.test(self.sign_in_account, "sign-in-account", username.casefold())


def slow_down(facts: ServiceFacts, at: datetime) -> str:
    """What a limited chat or SMS caller reads: wait, and the urgent routes meanwhile."""
    return (
        "You've sent a lot of messages very quickly, so I can't read this one yet. Please wait "
        "a minute and send it again. " + urgent_routes(facts, at)
    )
