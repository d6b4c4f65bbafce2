"""Opaque pagination tokens: a key to continue after, so new items never shift a page."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any, Protocol, TypeVar

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


def names_page(names: list[str], params: dict[str, Any], default: int) -> tuple[list[str], dict[str, str]]:
    """A page of sorted names after the token's, and ``{"nextToken": ...}`` when more follow."""
    if params.get("nextToken"):
        after = str(decode(params["nextToken"]))
        names = [n for n in names if n > after]
    size = page_size(params, default)
    page = names[:size]
    return page, {"nextToken": encode(page[-1])} if len(names) > size else {}


class Started(Protocol):
    """An execution or a run: when it started, and its id (which orders runs started together)."""

    @property
    def start(self) -> float: ...
    @property
    def id(self) -> str: ...


S = TypeVar("S", bound=Started)


def newest_page(
    items: Iterable[S], params: dict[str, Any], default: int = 100
) -> tuple[list[S], dict[str, str]]:
    """A page of ``items``, newest first (by start, then id), after the token's, and
    ``{"nextToken": ...}`` when more follow: an item started since never shifts a page."""
    ordered = sorted(items, key=lambda i: (i.start, i.id), reverse=True)
    if params.get("nextToken"):
        start, after = decode(params["nextToken"])
        ordered = [i for i in ordered if (i.start, i.id) < (start, after)]
    size = page_size(params, default)
    page = ordered[:size]
    return page, {"nextToken": encode([page[-1].start, page[-1].id])} if len(ordered) > size else {}
