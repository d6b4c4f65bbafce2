"""Writing preferences back into the config file (the settings screen, the theme, ``cptui events``).

The file on disk is the base, rewritten with ``tomli_w`` (its comments and formatting are lost),
never into something ``tui.core.config.parse_config`` would refuse to read.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from tui.core.config import (
    SECTIONS,
    Config,
    EventQueueConfig,
    EventsConfig,
    KeymapCheck,
    load_config,
    parse_config,
)
from tui.core.config_schema import SCHEMAS, ConfigError
from tui.core.model import Target
from tui.core.paths import default_config_path

# Preference name -> section, for the keyword arguments of save_preferences.
_PREFERENCE_SECTION = {key: section for section, schema in SCHEMAS.items() for key in schema}


def save_preferences(
    config: Config, path: Path | None = None, *, check_keymap: KeymapCheck | None = None, **changes: Any
) -> Config:
    """Write changed preferences into the config file and return the config as now saved.

    ``changes`` are preference names (``theme="nord"``, ``favourites=[...]``, ``wrap=True``; each
    name is unique across sections), ``keys={"refresh": "f5"}`` to remap keys, or a name set to
    None to drop it back to its default. The file on disk is the base, so keys the user wrote by
    hand keep their values; without a file, the non-default values of ``config`` are the base.

    The file is rewritten with ``tomli_w``: its comments and formatting are lost. Raises
    ``ConfigError`` if the file on disk is invalid (it is left untouched) or a change is.
    """
    path = path or config.path or default_config_path()
    base = _base(config, path, check_keymap)
    for name, value in changes.items():
        if name == "keys":
            if not isinstance(value, Mapping):
                raise ConfigError(path, None, "[keys]", "expected a table of binding id = key")
            table = base.setdefault("keys", {})
            for binding, key in value.items():
                _assign(table, binding, key)
            continue
        section = _PREFERENCE_SECTION.get(name)
        if section is None:
            raise ConfigError(path, None, name, "not a preference cptui can save")
        _assign(base.setdefault(section, {}), name, value)
    return _write(path, base, check_keymap)


def _base(config: Config, path: Path, check_keymap: KeymapCheck | None) -> dict[str, Any]:
    """What a write starts from: the file on disk (refused if cptui cannot read it), else the
    non-default values of ``config``."""
    if path.exists():
        load_config(
            path, check_keymap=check_keymap
        )  # refuse to rewrite a file cptui cannot read: the user is editing it
        return tomllib.loads(path.read_text(encoding="utf-8"))
    return _non_defaults(config)


def _write(path: Path, base: dict[str, Any], check_keymap: KeymapCheck | None) -> Config:
    import tomli_w

    base = {k: v for k, v in base.items() if v != {}}
    text = tomli_w.dumps(base)
    saved = parse_config(
        text, path, check_keymap=check_keymap
    )  # never write a file cptui would refuse to read
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return saved


def save_event_queue(
    config: Config,
    target: Target,
    entry: EventQueueConfig | None,
    path: Path | None = None,
    *,
    check_keymap: KeymapCheck | None = None,
) -> Config:
    """Write (or with None remove) ``target``'s ``[[events.targets]]`` entry; returns the saved
    config. Same rules as ``save_preferences``: the file on disk is the base, rewritten with
    tomli_w, never into something cptui would refuse to read."""
    path = path or config.path or default_config_path()
    base = _base(config, path, check_keymap)
    events = base.setdefault("events", {})
    entries = [
        e
        for e in events.get("targets", [])
        if (e.get("profile"), e.get("region")) != (target.profile, target.region)
    ]
    if entry is not None:
        entries.append({k: v for k, v in vars(entry).items() if v is not None})
    if entries:
        events["targets"] = entries
    else:
        events.pop("targets", None)
    return _write(path, base, check_keymap)


def _assign(table: dict[str, Any], name: str, value: Any) -> None:
    if value is None:
        table.pop(name, None)
    else:
        table[name] = _to_toml(value)


def _to_toml(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | list):
        return [_to_toml(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _to_toml(v) for k, v in value.items()}
    return value


def _non_defaults(config: Config) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, cls in SECTIONS.items():
        current, default = getattr(config, name), cls()
        values = {
            f.name: _to_toml(getattr(current, f.name))
            for f in fields(cls)
            if getattr(current, f.name) != getattr(default, f.name)
        }
        if values:
            out[name] = values
    if config.targets:
        out["targets"] = [{k: v for k, v in vars(t).items() if v is not None} for t in config.targets]
    if config.keys:
        out["keys"] = dict(config.keys)
    if config.events != EventsConfig():
        events: dict[str, Any] = {
            f.name: _to_toml(getattr(config.events, f.name))
            for f in fields(EventsConfig)
            if f.name != "targets"
            and getattr(config.events, f.name) not in (None, getattr(EventsConfig(), f.name))
        }
        if config.events.targets:
            events["targets"] = [
                {k: v for k, v in vars(e).items() if v is not None} for e in config.events.targets
            ]
        out["events"] = events
    return out
