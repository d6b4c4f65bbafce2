"""V2 git triggers: whether a simulated push starts a pipeline that declares triggers.

A pipeline with ``triggers`` starts on a source change only when one of its push filters matches
the push (AWS: "the pipeline starts when a push matches the filter"): a tag filter matches the
pushed tag; a branch filter matches the branch and, with file paths, the changed files. Patterns
are globs: ``*`` within one path segment, ``**`` across segments, ``?`` one character. Includes
must match (when given), excludes must not; a file-path filter needs at least one changed file
that is included and not excluded.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

_BRANCHES = ["main", "main", "main", "main", "release/2026.12", "feature/new-checkout", "release/legacy-3"]
_FILES = [
    ("src/cart/checkout.ts",),
    ("src/payments/client.ts", "package.json"),
    ("docs/architecture.md",),
    ("README.md",),
    ("src/index.ts", "src/cart/summary.ts"),
]
_TAGS = ["v1.8.0", "v1.9.0-rc1", "v1.9.0"]


@dataclass(frozen=True)
class Push:
    """One simulated push: a branch with changed files, or a tag."""

    branch: str | None
    tag: str | None
    files: tuple[str, ...] = ()


def simulated_push(rng: random.Random) -> Push:
    if rng.random() < 0.15:
        return Push(None, rng.choice(_TAGS))
    return Push(rng.choice(_BRANCHES), None, rng.choice(_FILES))


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def glob(pattern: str, value: str) -> bool:
    return _regex(pattern).fullmatch(value) is not None


def _passes(criteria: dict[str, Any] | None, value: str) -> bool:
    if not criteria:
        return True
    includes, excludes = criteria.get("includes") or [], criteria.get("excludes") or []
    if includes and not any(glob(p, value) for p in includes):
        return False
    return not any(glob(p, value) for p in excludes)


def push_matches(push_filter: dict[str, Any], push: Push) -> bool:
    """Whether one GitPushFilter admits ``push``."""
    if "tags" in push_filter:
        return push.tag is not None and _passes(push_filter["tags"], push.tag)
    if push.branch is None or not _passes(push_filter.get("branches"), push.branch):
        return False
    paths = push_filter.get("filePaths")
    return paths is None or any(_passes(paths, f) for f in push.files)


def starts(triggers: list[dict[str, Any]], source_action: str, push: Push) -> bool:
    """Whether ``push`` to ``source_action``'s repository starts the pipeline."""
    for trigger in triggers:
        git = trigger.get("gitConfiguration") or {}
        if git.get("sourceActionName") != source_action:
            continue
        if any(push_matches(f, push) for f in git.get("push") or []):
            return True
    return False
