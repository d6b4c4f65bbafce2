"""Which targets (profile x region) to show and where their calls go: from the command line, the
config file or the environment. Shared by ``cptui`` and ``cptui events``; errors are ``UsageError``
(exit status 2), worded for the command line.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tui.core.config import Config, KeymapCheck, TargetConfig, load_config
from tui.core.config_values import Invalid
from tui.core.config_values import endpoint as valid_endpoint
from tui.core.config_values import region as valid_region
from tui.core.model import Target


class UsageError(Exception):
    """A problem the user fixes on the command line or in the environment (exit status 2)."""


@dataclass(frozen=True)
class Endpoint:
    """A target with where its calls go (None: AWS_ENDPOINT_URL, else AWS)."""

    target: Target
    endpoint_url: str | None = None


def load(path: Path | None, *, check_keymap: KeymapCheck | None = None) -> Config:
    """The config file named on the command line (which must exist), else the default one."""
    if path is not None and not path.exists():
        raise UsageError(f"cptui: config file {path} does not exist")
    return load_config(path, check_keymap=check_keymap)


def resolve_targets(args: argparse.Namespace, config: Config) -> list[Endpoint]:
    """Targets from the command line, else the config, else the environment.

    ``--endpoint-url`` applies to all of them and wins over a target's ``endpoint_url``.
    Raises ``UsageError`` when no region can be found or a profile does not exist.
    """
    from tui.aws.session import default_profile_name, resolve_region

    profiles: list[str | None] = list(args.profile or [])
    regions: list[str] = [_checked_region(r) for r in args.region or []]
    if profiles or regions:
        endpoints = _from_arguments(profiles, regions, config)
    elif config.targets:
        endpoints = [Endpoint(t.to_target(), t.endpoint_url) for t in config.targets]
    else:
        profile = default_profile_name()
        region = resolve_region(profile)
        if not region:
            raise UsageError(_no_region(profile))
        endpoints = [Endpoint(Target(region=region, profile=profile))]
    if args.endpoint_url:
        endpoints = [Endpoint(e.target, _checked_endpoint(args.endpoint_url)) for e in endpoints]
    elif os.environ.get("AWS_ENDPOINT_URL"):
        _checked_endpoint(os.environ["AWS_ENDPOINT_URL"], "AWS_ENDPOINT_URL=")
    _check_profiles_exist(e.target.profile for e in endpoints)
    _check_regions_known(endpoints)
    return endpoints


def _from_arguments(profiles: list[str | None], regions: list[str], config: Config) -> list[Endpoint]:
    from tui.aws.session import default_profile_name, resolve_region

    by_key = {(t.profile, t.region): t for t in config.targets}
    endpoints: list[Endpoint] = []
    for profile in profiles or [default_profile_name()]:
        profile_regions = regions or [r for r in [resolve_region(profile)] if r]
        if not profile_regions:
            raise UsageError(_no_region(profile))
        for region in profile_regions:
            known: TargetConfig | None = by_key.get((profile, region))
            if known:  # keep the config's name and colour for the same account and region
                endpoints.append(Endpoint(known.to_target(), known.endpoint_url))
            else:
                endpoints.append(Endpoint(Target(region=region, profile=profile)))
    return list(dict.fromkeys(endpoints))


def _checked_region(name: str) -> str:
    try:
        return valid_region(name)
    except Invalid as exc:
        raise UsageError(f"cptui: --region {name}: {exc}") from exc


def _checked_endpoint(url: str, given_as: str = "--endpoint-url ") -> str:
    try:
        return valid_endpoint(url)
    except Invalid as exc:
        raise UsageError(f"cptui: {given_as}{url}: {exc}") from exc


def _check_regions_known(endpoints: Iterable[Endpoint]) -> None:
    """A region CodePipeline is not offered in is almost always a typo (``us-east-9``): say so now
    rather than show "cannot reach endpoint" forever. Behind a custom endpoint anything goes."""
    if any(name.startswith("AWS_ENDPOINT_URL") and value for name, value in os.environ.items()):
        return  # AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_CODEPIPELINE: a custom endpoint
    endpoints = [e for e in endpoints if not e.endpoint_url]
    if not endpoints:
        return  # all behind --endpoint-url: botocore (a tenth of a second to load) is not needed
    import difflib

    from botocore.session import get_session

    session = get_session()
    known = {
        region
        for partition in session.get_available_partitions()
        for region in session.get_available_regions("codepipeline", partition_name=partition)
    }
    for endpoint in endpoints:
        region = endpoint.target.region
        if endpoint.endpoint_url or region in known:
            continue
        near = difflib.get_close_matches(region, sorted(known), n=3)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise UsageError(
            f"cptui: CodePipeline is not offered in region {region}{hint}; for a region newer than "
            "this cptui, pass --endpoint-url https://codepipeline.REGION.amazonaws.com"
        )


def _no_region(profile: str | None) -> str:
    where = f"profile {profile} has no region" if profile else "no AWS region is set"
    return f"cptui: {where}: pass --region REGION or set AWS_REGION"


def _check_profiles_exist(profiles: Iterable[str | None]) -> None:
    named = [p for p in profiles if p]
    if not named:
        return
    from tui.aws.session import available_profiles

    known = set(available_profiles())
    for profile in named:
        if profile not in known:
            hint = f" (known: {', '.join(sorted(known))})" if known else ""
            raise UsageError(
                f"cptui: AWS profile {profile!r} is not in ~/.aws/config or ~/.aws/credentials{hint}"
            )
