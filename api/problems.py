"""What the API answers when it refuses a request, outside the web chat (whose every answer is a
chat reply), and the OpenAPI declarations the routes share for it."""

from __future__ import annotations

from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel


class Problem(BaseModel):
    """FastAPI's own shape for an HTTPException: `{"detail": "..."}`."""

    detail: str


# FastAPI answers 400 itself when a JSON body cannot even be decoded (not UTF-8, say); a body
# that decodes but is not valid gets 422.
UNREADABLE_BODY: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The body could not be read (not UTF-8, say)"},
}


def invalid_query(name: str, message: str) -> RequestValidationError:
    """A query parameter that is valid alone but not with the others: a 422 of the declared
    validation-error shape (`{"detail": [{"loc", "msg", "type"}]}`) like any other."""
    return RequestValidationError([{"type": "value_error", "loc": ("query", name), "msg": message}])
