"""AWS sessions and profile configuration: one aiobotocore session per profile, region lookup.

A session holds the credential cache, so every region of one profile shares it: an SSO or
assume-role profile resolves its credentials once, not once per region.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: aiobotocore and botocore are slow to import
    from aiobotocore.session import AioSession

# Environment variables botocore reads for the default profile, in its own order of preference.
_PROFILE_ENV = ("AWS_DEFAULT_PROFILE", "AWS_PROFILE")
# AWS_REGION is what the AWS CLI v2 and the other SDKs read; botocore itself only reads
# AWS_DEFAULT_REGION. cptui honours both, AWS_REGION first, like the CLI.
_REGION_ENV = ("AWS_REGION", "AWS_DEFAULT_REGION")


class SessionPool:
    """Creates aiobotocore sessions on demand and hands the same one back for the same profile."""

    def __init__(self) -> None:
        self._sessions: dict[tuple[str | None, bool], AioSession] = {}

    def get(self, profile: str | None, *, static_credentials: bool = False) -> AioSession:
        """The session for ``profile`` (None = the default chain, which honours ``AWS_PROFILE``).

        With ``static_credentials`` the caller passes keys to each client itself, so the session
        must not look up a profile at all: a stray ``AWS_PROFILE`` naming a profile that does not
        exist would otherwise fail the demo.
        """
        key = (profile, static_credentials)
        session = self._sessions.get(key)
        if session is None:
            from aiobotocore.session import AioSession

            if static_credentials:
                session = AioSession(session_vars={"profile": (None, None, None, None)})
            else:
                session = AioSession(profile=profile)
            self._sessions[key] = session
        return session


DEFAULT_POOL = SessionPool()


def default_profile_name() -> str | None:
    """The profile the default credential chain uses: ``AWS_DEFAULT_PROFILE`` / ``AWS_PROFILE``."""
    for name in _PROFILE_ENV:
        value = os.environ.get(name)
        if value:
            return value
    return None


def profile_config(profile: str | None) -> Mapping[str, Any]:
    """The profile's section of ``~/.aws/config`` (``AWS_CONFIG_FILE``), or ``{}``.

    ``profile`` None means the profile the default chain would use (``AWS_PROFILE``, else
    ``default``). Never raises: a broken config file reads as an empty profile here and
    botocore reports the real problem when a client is made.
    """
    name = profile or default_profile_name() or "default"
    from botocore.exceptions import BotoCoreError
    from botocore.session import Session

    try:
        profiles = Session().full_config.get("profiles", {})
    except BotoCoreError:
        return {}
    section = profiles.get(name, {})
    return section if isinstance(section, Mapping) else {}


def available_profiles() -> list[str]:
    """Profile names from the shared config and credentials files."""
    from botocore.exceptions import BotoCoreError
    from botocore.session import Session

    try:
        return list(Session().available_profiles)
    except BotoCoreError:
        return []


def is_sso_profile(profile: str | None) -> bool:
    """True when the profile gets its credentials from IAM Identity Center (``aws sso login``)."""
    section = profile_config(profile)
    return any(key in section for key in ("sso_session", "sso_start_url"))


def resolve_region(profile: str | None) -> str | None:
    """The region for ``profile`` when none is given on the command line.

    Precedence, as the AWS CLI resolves it: ``AWS_REGION``, then ``AWS_DEFAULT_REGION``, then
    ``region`` in the profile's section of the shared config file. None when nothing names one.
    """
    for name in _REGION_ENV:
        value = os.environ.get(name)
        if value:
            return value
    region = profile_config(profile).get("region")
    return region if isinstance(region, str) and region else None
