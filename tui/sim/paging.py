"""Opaque pagination tokens: a key to continue after, so new items never shift a page."""

from __future__ import annotations

import base64
import json
from typing import Any

from tui.sim.errors import SimError


def encode(key: Any) -> str:
    """A token that resumes after ``key`` (any JSON value)."""
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def decode(token: str, code: str = "InvalidNextTokenException") -> Any:
    """The key inside ``token``; a token we did not issue raises ``code``."""
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError) as exc:
        raise SimError(code, "The next token is not valid.") from exc


def page_size(params: dict[str, Any], default: int) -> int:
    value = params.get("maxResults")
    return default if value is None else int(value)
