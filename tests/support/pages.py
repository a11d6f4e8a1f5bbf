"""One check for every page a test fetches (GOV.UK Notify's habit): exactly one h1, a <title>
that starts with it, no duplicate ids, an action on every form, the request's CSP nonce on
every script, and the security headers every response must carry."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser

CSP_DIRECTIVES = {
    "default-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
_NONCE = re.compile(r"^'self' 'nonce-([A-Za-z0-9_-]{16,})'$")


def csp_nonce(headers: Mapping[str, str]) -> str:
    """The nonce of a response's policy, after checking the policy's whole directive set."""
    policy = headers.get("content-security-policy", "")
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy
    directives = {}
    for part in filter(None, (p.strip() for p in policy.split(";"))):
        name, _, value = part.partition(" ")
        directives[name] = value.strip()
    for name, value in CSP_DIRECTIVES.items():
        assert directives.get(name) == value, f"{name}: {directives.get(name)!r} in {policy!r}"
    assert directives.get("frame-ancestors"), policy
    match = _NONCE.match(directives.get("script-src", ""))
    assert match, f"script-src without a nonce: {policy!r}"
    assert set(directives) == {*CSP_DIRECTIVES, "script-src", "frame-ancestors"}, policy
    return match.group(1)


def check_security_headers(headers: Mapping[str, str], what: str = "") -> None:
    """The header set every response carries (with the default PCL_FRAME_ANCESTORS)."""
    lower = {k.lower(): v for k, v in headers.items()}
    csp_nonce(lower)
    assert "frame-ancestors 'none'" in lower["content-security-policy"], what
    assert lower.get("x-content-type-options") == "nosniff", what
    assert lower.get("referrer-policy") == "no-referrer", what
    assert lower.get("x-frame-options") == "DENY", what
    assert lower.get("cross-origin-opener-policy") == "same-origin", what


@dataclass
class _Page(HTMLParser):
    h1s: list[str] = field(default_factory=list)
    title: str = ""
    ids: list[str] = field(default_factory=list)
    forms: list[dict[str, str | None]] = field(default_factory=list)
    scripts: list[dict[str, str | None]] = field(default_factory=list)
    _in: str | None = None

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"] or "")
        if tag == "form":
            self.forms.append(attributes)
        elif tag == "script":
            self.scripts.append(attributes)
        elif tag in ("h1", "title"):
            self._in = tag
            if tag == "h1":
                self.h1s.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "h1":
            self.h1s[-1] += data
        elif self._in == "title":
            self.title += data


def _squash(text: str) -> str:
    return " ".join(text.split())


def check_page(html: str, headers: Mapping[str, str]) -> str:
    """Checks a served page and its headers; returns the h1's text."""
    lower = {k.lower(): v for k, v in headers.items()}
    check_security_headers(lower)
    nonce = csp_nonce(lower)
    page = _Page()
    page.feed(html)
    page.close()
    assert len(page.h1s) == 1, f"expected exactly one h1, found {page.h1s}"
    h1 = _squash(page.h1s[0])
    assert h1, "the h1 is empty"
    assert _squash(page.title).startswith(h1), f"title {page.title!r} does not start with {h1!r}"
    duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    for form in page.forms:
        assert form.get("action"), f"a form without an action: {form}"
    assert page.scripts, "no scripts: expected at least GOV.UK Frontend's"
    for script in page.scripts:
        assert script.get("nonce") == nonce, f"a script without this request's nonce: {script}"
    return h1
