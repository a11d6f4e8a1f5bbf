"""The web chat page as a keyboard user drives it, for the browser tests (Playwright, sync)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page, Response

from tests.support.pages import check_page

REPLY_TIMEOUT_MS = 60_000
_FOCUSED = """() => {
  const e = document.activeElement;
  return {tag: e ? e.tagName : "", id: e ? e.id : "", text: e ? (e.textContent || "").trim() : ""};
}"""
_TEXTS = "selector => Array.from(document.querySelectorAll(selector), e => e.textContent.trim())"


@dataclass
class ChatPage:
    page: Page
    console_errors: list[str] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)

    def open(self, path: str = "/chat") -> Response:
        """Loads a page and runs the page check on what the server sent."""
        response = self.page.goto(path)
        assert response is not None and response.status == 200, path
        check_page(response.text(), response.all_headers())
        return response

    # --- what is on the page -----------------------------------------------------------

    def focused(self) -> dict[str, str]:
        return self.page.evaluate(_FOCUSED)

    def texts(self, selector: str) -> list[str]:
        return self.page.evaluate(_TEXTS, selector)

    def assistant_messages(self) -> list[str]:
        return self.texts(".pcl-message--assistant .pcl-message__text")

    def user_messages(self) -> list[str]:
        return self.texts(".pcl-message--user .pcl-message__text")

    def choices(self) -> list[str]:
        return self.texts("#chat-log .pcl-choices button")

    # --- the keyboard ---------------------------------------------------------------------

    def tab_to(
        self,
        text: str | None = None,
        *,
        id: str | None = None,
        backwards: bool = False,
        limit: int = 60,
    ) -> None:
        """Presses Tab (or Shift+Tab) until the element with this text or id has the focus."""
        key = "Shift+Tab" if backwards else "Tab"
        seen = []
        for _ in range(limit):
            self.page.keyboard.press(key)
            now = self.focused()
            seen.append(now["id"] or now["text"][:30] or now["tag"])
            if (id is not None and now["id"] == id) or (text is not None and now["text"] == text):
                return
        raise AssertionError(f"{text or id!r} never got the focus by {key}; focus went to {seen}")

    def wait_for_reply(self, before: int) -> list[str]:
        self.page.wait_for_function(
            """before => document.querySelectorAll('.pcl-message--assistant').length > before
                 && document.getElementById('chat-status').textContent === ''""",
            arg=before,
            timeout=REPLY_TIMEOUT_MS,
        )
        return self.assistant_messages()[before:]

    def say(self, text: str) -> list[str]:
        """Types into the message box (reached by Tab if it lacks the focus), presses Enter,
        and returns the assistant's new messages."""
        if self.focused()["id"] != "chat-message":
            self.tab_to(id="chat-message")
        before = len(self.assistant_messages())
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")
        replies = self.wait_for_reply(before)
        assert self.user_messages()[-1] == text
        return replies

    def choose(self, title: str, key: str = "Enter", *, backwards: bool = True) -> list[str]:
        """Moves (back from the message box, by default) to an answer button, presses it with
        Enter or Space, and returns the assistant's new messages."""
        assert title in self.choices(), f"{title!r} is not offered: {self.choices()}"
        self.tab_to(title, backwards=backwards)
        assert self.focused()["tag"] == "BUTTON"
        before = len(self.assistant_messages())
        self.page.keyboard.press(key)
        replies = self.wait_for_reply(before)
        assert self.user_messages()[-1] == title  # the title shows as the caller's message
        return replies

    def evaluate(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)
