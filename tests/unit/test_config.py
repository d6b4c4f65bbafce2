"""tui.core.config: the example loads, each mistake names its file, line and key, saving round-trips."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tui.core.config import (
    DEFAULT_KEYS,
    KNOWN_BINDINGS,
    Config,
    ConfigError,
    GeneralConfig,
    LogsConfig,
    NotificationsConfig,
    PipelinesConfig,
    PollingConfig,
    TargetConfig,
    default_audit_log_path,
    default_config_path,
    load_config,
    parse_config,
)
from tui.core.config_save import save_event_queue, save_preferences
from tui.core.config_schema import EVENT_TARGET_SCHEMA, EVENTS_SCHEMA, SCHEMAS, TARGET_SCHEMA

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config.example.toml"


def error_for(text: str, tmp_path: Path) -> ConfigError:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.path == path
    assert str(info.value).startswith(f"{path}:")
    return info.value


# --- the example file ---------------------------------------------------------------------------


def test_example_loads_with_two_accounts_and_two_regions() -> None:
    config = load_config(EXAMPLE)
    profiles = {t.profile for t in config.targets}
    regions = {t.region for t in config.targets}
    assert len(profiles) >= 2 and len(regions) >= 2
    assert config.pipelines.is_protected("checkout-prod")
    assert config.keys["refresh"] == "r,ctrl+r,f5"


def test_example_documents_every_key() -> None:
    text = EXAMPLE.read_text()
    keys = (
        [k for schema in SCHEMAS.values() for k in schema]
        + list(TARGET_SCHEMA)
        + list(EVENTS_SCHEMA)
        + list(EVENT_TARGET_SCHEMA)
    )
    for key in keys:
        match = re.search(rf"^#? ?{key} = ", text, re.MULTILINE)
        assert match, f"config.example.toml does not show {key}"
        # The line above each key is its comment.
        before = text[: match.start()].rstrip("\n").splitlines()[-1]
        assert before.lstrip().startswith("#"), f"{key} has no comment above it"
    for section in SCHEMAS:
        assert f"[{section}]" in text
    for binding in KNOWN_BINDINGS:
        assert binding in text


def test_dataclasses_and_schema_agree() -> None:
    sections = {
        "general": GeneralConfig,
        "polling": PollingConfig,
        "pipelines": PipelinesConfig,
        "logs": LogsConfig,
        "notifications": NotificationsConfig,
    }
    for name, cls in sections.items():
        assert {f.name for f in dataclasses.fields(cls)} == set(SCHEMAS[name])
    assert {f.name for f in dataclasses.fields(TargetConfig)} == set(TARGET_SCHEMA)
    assert set(DEFAULT_KEYS) == set(KNOWN_BINDINGS)


# --- defaults and paths -------------------------------------------------------------------------


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "nope.toml")
    assert config == Config(path=tmp_path / "nope.toml")
    assert config.polling.active_interval == 5.0
    assert config.polling.list_interval == 60.0
    assert config.logs.max_lines == 200_000
    assert any(r.search("ERROR: boom") for r in config.logs.error_regexes())
    assert any(r.search("make: *** exit status 2") for r in config.logs.error_regexes())
    assert not any(r.search("tests passed, exit status 0") for r in config.logs.error_regexes())
    assert config.key_for("approve") == "a"


def test_xdg_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert default_config_path() == tmp_path / "cfg" / "cptui" / "config.toml"
    assert default_audit_log_path() == tmp_path / "state" / "cptui" / "audit.jsonl"
    assert load_config(None).general.audit_log == tmp_path / "state" / "cptui" / "audit.jsonl"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_config_path() == tmp_path / "home" / ".config" / "cptui" / "config.toml"


def test_message_shortens_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    path = tmp_path / ".config" / "cptui" / "config.toml"
    with pytest.raises(ConfigError) as info:
        parse_config('[polling]\n\n\nactive_interval = "fast"\n', path)
    assert str(info.value) == (
        '~/.config/cptui/config.toml:4: [polling] active_interval: expected a number of seconds, got "fast"'
    )


# --- each kind of mistake -----------------------------------------------------------------------


def test_syntax_error_reports_tomllib_line_and_column(tmp_path: Path) -> None:
    error = error_for('[general]\ntheme = "nord"\nread_only = yes\n', tmp_path)
    assert error.line == 3
    assert "invalid TOML" in error.message and "column 13" in error.message


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    error = error_for("[polling]\nlist_interval = 30\nactiv_interval = 2\n", tmp_path)
    assert error.line == 3
    assert error.key == "[polling] activ_interval"
    assert 'did you mean "active_interval"?' in error.message


def test_unknown_section(tmp_path: Path) -> None:
    error = error_for("[general]\ntheme = 'x'\n\n[notification]\nbell = true\n", tmp_path)
    assert error.line == 4
    assert error.key == "[notification]"
    assert "unknown section; did you mean [notifications]?" in error.message


def test_unknown_top_level_key(tmp_path: Path) -> None:
    error = error_for("theme = 'nord'\n", tmp_path)
    assert error.line == 1 and "unknown section" in error.message


@pytest.mark.parametrize(
    ("text", "line", "key", "message"),
    [
        ("[general]\nread_only = 1\n", 2, "[general] read_only", "expected true or false, got 1"),
        ("[polling]\ntps = true\n", 2, "[polling] tps", "expected a number, got true"),
        ("[polling]\nburst = 2.5\n", 2, "[polling] burst", "expected a whole number, got 2.5"),
        ("[polling]\nidle_interval = 0\n", 2, "[polling] idle_interval", "at least 1 seconds"),
        ("[logs]\nmax_lines = '10'\n", 2, "[logs] max_lines", 'expected a whole number, got "10"'),
        ("[pipelines]\nhidden = 'x-*'\n", 2, "[pipelines] hidden", "expected a list of strings"),
        ("[general]\ntheme = ''\n", 2, "[general] theme", "must not be empty"),
        ("polling = 3\n", 1, "[polling]", "expected a table, got 3"),
    ],
)
def test_wrong_types(text: str, line: int, key: str, message: str, tmp_path: Path) -> None:
    error = error_for(text, tmp_path)
    assert (error.line, error.key) == (line, key)
    assert message in error.message


def test_bad_regex_is_located_even_after_a_multiline_array(tmp_path: Path) -> None:
    text = "[logs]\nerror_patterns = [\n    'ok',\n    '[unclosed',\n]\ntimestamps = true\n"
    error = error_for(text, tmp_path)
    assert error.line == 2
    assert error.key == "[logs] error_patterns"
    assert 'invalid regular expression "[unclosed"' in error.message


def test_line_tracking_skips_multiline_values(tmp_path: Path) -> None:
    text = "[logs]\nerror_patterns = [\n    'a',\n    '[x]',\n]\nwrap = 'yes'\n"
    assert error_for(text, tmp_path).line == 6


def test_bad_glob(tmp_path: Path) -> None:
    error = error_for("[pipelines]\nprotected = ['*-prod', 'web-[prod']\n", tmp_path)
    assert error.line == 2
    assert "invalid glob \"web-[prod\": unclosed '['" in error.message


def test_unknown_binding_id(tmp_path: Path) -> None:
    error = error_for('[keys]\nrefresh = "f5"\n"aprove" = "a"\n', tmp_path)
    assert error.line == 3
    assert error.key == "[keys] aprove"
    assert error.message.startswith('unknown binding id; did you mean "approve"?')


def test_bad_key_string(tmp_path: Path) -> None:
    error = error_for('[keys]\nrefresh = "ctrl r"\n', tmp_path)
    assert error.line == 2 and "expected a key like" in error.message


def test_target_without_region(tmp_path: Path) -> None:
    text = '[[targets]]\nprofile = "a"\nregion = "us-east-1"\n\n[[targets]]\nprofile = "b"\nname = "B"\n'
    error = error_for(text, tmp_path)
    assert error.line == 5
    assert error.key == "[[targets]] #2"
    assert 'missing required key "region"' in error.message


@pytest.mark.parametrize(
    ("entry", "key", "message"),
    [
        ('region = "useast1"', "region", "expected a region like us-east-1"),
        ('region = "us-east-1"\ncolour = "red"', "colour", 'did you mean "color"?'),
        ('region = "us-east-1"\ncolor = "reddish"', "color", "expected a colour name"),
        ('region = "us-east-1"\nendpoint_url = "localhost:4566"', "endpoint_url", "http://"),
    ],
)
def test_bad_target_values(entry: str, key: str, message: str, tmp_path: Path) -> None:
    error = error_for(f'[[targets]]\nprofile = "a"\n{entry}\n', tmp_path)
    assert error.key == f"[[targets]] #1 {key}"
    assert error.line == 2 + entry.count("\n") + 1
    assert message in error.message


def test_duplicate_target(tmp_path: Path) -> None:
    text = '[[targets]]\nregion = "us-east-1"\n[[targets]]\nregion = "us-east-1"\n'
    error = error_for(text, tmp_path)
    assert error.line == 3 and "same profile and region as [[targets]] #1" in error.message


def test_targets_must_be_an_array_of_tables(tmp_path: Path) -> None:
    error = error_for('[targets]\nregion = "us-east-1"\n', tmp_path)
    assert error.line == 1 and "[[targets]]" in error.message


def test_dotted_key_at_the_root_is_located(tmp_path: Path) -> None:
    error = error_for('\npolling.tps = "x"\n', tmp_path)
    assert error.line == 2 and error.key == "[polling] tps"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b"theme = '\xff'\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


def test_valid_full_file_converts(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "[general]\nread_only = true\naudit_log = '~/audit.jsonl'\n"
        "[polling]\ntps = 2\nburst = 3\n"
        "[[targets]]\nregion = 'eu-west-1'\ncolor = '#ff0000'\n"
    )
    config = load_config(path)
    assert config.general.read_only is True
    assert config.general.audit_log == Path.home() / "audit.jsonl"
    assert config.polling.tps == 2.0 and isinstance(config.polling.tps, float)
    assert config.targets[0].to_target().label == "default/eu-west-1"


# --- saving -------------------------------------------------------------------------------------


def test_save_preferences_round_trips_and_keeps_other_values(tmp_path: Path) -> None:
    path = tmp_path / "cptui" / "config.toml"
    path.parent.mkdir()
    path.write_text(
        "# a comment that will be lost\n"
        "[general]\ntheme = 'nord'\n"
        "[polling]\nactive_interval = 3\n"
        "[[targets]]\nprofile = 'prod'\nregion = 'us-east-1'\ncolor = 'red'\n"
    )
    config = load_config(path)
    saved = save_preferences(config, path, favourites=["web-*"], wrap=True, keys={"refresh": "f5"})
    reloaded = load_config(path)
    assert reloaded == saved
    assert reloaded.pipelines.favourites == ("web-*",)
    assert reloaded.logs.wrap is True
    assert reloaded.keys == {"refresh": "f5"}
    assert reloaded.general.theme == "nord"
    assert reloaded.polling.active_interval == 3
    assert reloaded.targets == config.targets
    # A preference set to None goes back to its default.
    save_preferences(reloaded, path, theme=None)
    assert load_config(path).general.theme == GeneralConfig().theme
    assert "theme" not in tomllib.loads(path.read_text()).get("general", {})


def test_save_preferences_creates_the_file_with_only_what_differs(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    config = Config(general=GeneralConfig(read_only=True), path=path)
    save_preferences(config, theme="gruvbox")
    data = tomllib.loads(path.read_text())
    assert data == {"general": {"read_only": True, "theme": "gruvbox"}}


def test_save_preferences_rejects_invalid_changes_and_keeps_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[general]\ntheme = 'nord'\n")
    before = path.read_text()
    config = load_config(path)
    with pytest.raises(ConfigError, match="expected a number of seconds"):
        save_preferences(config, path, active_interval="fast")
    with pytest.raises(ConfigError, match="not a preference"):
        save_preferences(config, path, region="us-east-1")
    with pytest.raises(ConfigError, match="unknown binding id"):
        save_preferences(config, path, keys={"nope": "x"})
    assert path.read_text() == before


@pytest.mark.parametrize(
    ("broken", "message"),
    [("[general\n", "invalid TOML"), ("polling = 3\n", "expected a table")],
)
def test_save_preferences_refuses_to_overwrite_a_broken_file(
    broken: str, message: str, tmp_path: Path
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(broken)
    with pytest.raises(ConfigError, match=message):
        save_preferences(Config(path=path), path, theme="nord", active_interval=5)
    assert path.read_text() == broken


# --- layering -----------------------------------------------------------------------------------


def test_config_and_aws_layers_do_not_import_textual() -> None:
    code = (
        "import sys, tui.core.config, tui.aws, tui.aws.client, tui.aws.convert, tui.aws.errormap;"
        "assert 'textual' not in sys.modules, sorted(m for m in sys.modules if 'textual' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=60)


def test_every_binding_id_in_the_app_is_remappable() -> None:
    """A Binding with an id that [keys] cannot name would be a key the user cannot remap."""

    root = Path(__file__).resolve().parents[2] / "tui"
    used: set[str] = set()
    for source in root.rglob("*.py"):
        text = source.read_text()
        for call in re.findall(r"Binding\((.*?)\)", text, flags=re.S):
            used.update(re.findall(r'\bid="([a-z_]+)"', call))
        used.update(re.findall(r'\bbind\(\s*"([a-z_]+)"', text))  # tui.ui.keys.bind(id, ...)
    assert used, "no binding ids found: the scan is broken"
    assert sorted(used - set(KNOWN_BINDINGS)) == []


# --- [events] ------------------------------------------------------------------------------------


def test_events_section_loads_and_finds_each_targets_queue(tmp_path: Path) -> None:
    from tui.core.config import EventQueueConfig
    from tui.core.model import Target

    text = (
        '[events]\nsweep_interval = 900\nqueue_url = "https://sqs.example/1/org"\n\n'
        '[[events.targets]]\nprofile = "prod"\nregion = "eu-west-1"\n'
        'queue_url = "https://sqs.example/1/mine"\nqueue_name = "mine"\nrule_name = "mine"\nmanaged = true\n'
    )
    config = parse_config(text, tmp_path / "c.toml")
    assert config.events.sweep_interval == 900.0
    assert config.events.sweep_calls_per_second == 0.15  # (the default)
    budgeted = parse_config("[events]\nsweep_calls_per_second = 0.05\n", tmp_path / "c.toml")
    assert budgeted.events.sweep_calls_per_second == 0.05
    mine = config.events.for_target(Target(region="eu-west-1", profile="prod"))
    assert mine == EventQueueConfig("eu-west-1", "prod", "https://sqs.example/1/mine", "mine", "mine", True)
    other = config.events.for_target(Target(region="us-east-1"))
    assert other is not None and other.queue_url == "https://sqs.example/1/org" and not other.managed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[events]\nsweep_interval = 5\n", "c.toml:2: [events] sweep_interval: must be at least 60 seconds"),
        ("[events]\nsweeps = 5\n", "c.toml:2: [events] sweeps: unknown key"),
        (
            "[events]\nsweep_calls_per_second = 0\n",
            "c.toml:2: [events] sweep_calls_per_second: must be between 0.01 and 10 calls per second, got 0",
        ),
        (
            '[events]\nsweep_calls_per_second = "fast"\n',
            'c.toml:2: [events] sweep_calls_per_second: expected a number of calls per second, got "fast"',
        ),
        ('[[events.targets]]\nregion = "us-east-1"\n', "c.toml:1: [[events.targets]] #1: needs queue_url"),
        (
            '[[events.targets]]\nregion = "us-east-1"\nmanaged = "yes"\n',
            "c.toml:3: [[events.targets]] #1 managed: expected true or false",
        ),
        (
            '[[events.targets]]\nqueue_url = "https://q"\n',
            "c.toml:1: [[events.targets]] #1: missing required key",
        ),
        (
            '[[events.targets]]\nregion = "us-east-1"\nmanaged = true\n'
            '[[events.targets]]\nregion = "us-east-1"\nmanaged = true\n',
            "c.toml:4: [[events.targets]] #2: same profile and region as [[events.targets]] #1",
        ),
    ],
)
def test_events_mistakes_name_file_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text, tmp_path / "c.toml")
    assert str(info.value).startswith(str(tmp_path / expected.split(":")[0]) + expected[len("c.toml") :])


def test_save_event_queue_round_trips_and_keeps_the_rest(tmp_path: Path) -> None:
    from tui.core.config import EventQueueConfig
    from tui.core.model import Target

    path = tmp_path / "c.toml"
    path.write_text('[general]\ntheme = "nord"\n')
    target = Target(region="us-east-1", profile="p")
    entry = EventQueueConfig("us-east-1", "p", "https://q/1/a", "a", "a", True)
    saved = save_event_queue(load_config(path), target, entry)
    assert saved.events.targets == (entry,) and saved.general.theme == "nord"
    assert load_config(path).events.targets == (entry,)
    saved = save_event_queue(saved, target, None)
    assert saved.events.targets == () and load_config(path).general.theme == "nord"
