"""Jinja2 templates for the public pages: the project's own under api/templates, and GOV.UK
Frontend's components from the govuk-frontend-jinja package (imported as
`govuk_frontend_jinja/...`), so no Design System markup is written by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from api.security import csp_nonce

TEMPLATES_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")

_environment = Environment(
    loader=ChoiceLoader(
        [
            FileSystemLoader(TEMPLATES_DIR),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    ),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=_environment)


def render(request: Request, name: str, context: dict[str, Any]) -> Response:
    """A page with the request's CSP nonce, which GOV.UK Frontend's page template puts on its
    one inline script and ours put on every <script>."""
    return templates.TemplateResponse(request, name, {**context, "cspNonce": csp_nonce(request)})
