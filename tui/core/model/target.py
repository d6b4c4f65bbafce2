"""Where data comes from: a target (an AWS profile x a region) and who its credentials are."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """One account+region view: an AWS profile (None = default chain) and a region."""

    region: str
    profile: str | None = None
    name: str | None = None  # display name from the config
    color: str | None = None

    @property
    def label(self) -> str:
        return self.name or f"{self.profile or 'default'}/{self.region}"

    @property
    def key(self) -> str:
        return f"{self.profile or ''}@{self.region}"


@dataclass(frozen=True)
class Identity:
    account: str
    arn: str
    user_id: str = ""
