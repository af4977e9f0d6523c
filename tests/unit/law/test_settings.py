"""The named-settings loader: defaults, overrides (in code and from a file), type and choice
checks, unknown names."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kzreg.law import settings as settings_module
from kzreg.law.errors import InputError, NotFound
from kzreg.law.settings import all_settings, get_setting, override, setting

# Settings of the escort module, used as stable examples.
STR_CHOICE = "escort.signal_loss_boundary"          # str with choices, default strictly_greater
INT = "escort.route_corridor_half_width_m"           # int, default 1000
BOOL = "escort.route_optional"                       # bool, default true
LIST = "assembly.app1_item_2_6_applies_to"           # list


@pytest.fixture(autouse=True)
def no_settings_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KZREG_SETTINGS_FILE", raising=False)


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "settings.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_defaults_load_with_types_and_citations() -> None:
    found = {s.name: s for s in all_settings()}
    assert found[STR_CHOICE].value == "strictly_greater"
    assert found[STR_CHOICE].choices == ("strictly_greater", "greater_or_equal")
    assert found[INT].value == 1000 and isinstance(found[INT].value, int)
    assert found[BOOL].value is True
    assert found[LIST].value == ("special_equipment", "trucks")
    assert found[STR_CHOICE].citation is not None
    assert found[STR_CHOICE].citation.ref == "order-407:Rules §3(8)"
    assert [s.name for s in all_settings()] == sorted(found)


def test_every_value_equals_its_default_without_overrides() -> None:
    assert all(s.value == s.default for s in all_settings())


def test_override_changes_the_value_and_restores_it() -> None:
    with override(escort__route_corridor_half_width_m=500):
        assert setting(INT) == 500
        assert get_setting(INT).default == 1000
    assert setting(INT) == 1000


def test_overrides_nest_and_unwind() -> None:
    with override(escort__route_corridor_half_width_m=500):
        with override(escort__route_corridor_half_width_m=200, escort__route_optional=False):
            assert setting(INT) == 200 and setting(BOOL) is False
        assert setting(INT) == 500 and setting(BOOL) is True
    assert setting(INT) == 1000


def test_override_is_undone_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError), override(escort__route_corridor_half_width_m=500):
        raise RuntimeError("boom")
    assert setting(INT) == 1000


def test_bad_type_is_rejected_naming_the_setting() -> None:
    with pytest.raises(InputError) as caught, override(escort__route_corridor_half_width_m="wide"):
        pass
    assert caught.value.field == f"settings.{INT}"
    assert INT in str(caught.value)
    assert setting(INT) == 1000  # nothing left behind


@pytest.mark.parametrize("name, bad", [
    (INT, 3.5),            # never truncated to 3
    (INT, Decimal("2.5")),
    (INT, True),           # a bool is not a number
    (BOOL, "yes"),         # only a real boolean
    (LIST, "trucks"),      # a list, not a string
])
def test_values_of_the_wrong_kind_are_rejected(name: str, bad: object) -> None:
    with pytest.raises(InputError) as caught, override(**{name.replace(".", "__"): bad}):
        pass
    assert caught.value.field == f"settings.{name}"


def test_decimal_settings_refuse_binary_floats() -> None:
    coerce = settings_module._coerce
    assert coerce("x.y", "decimal", "0.1") == Decimal("0.1")
    assert coerce("x.y", "decimal", 3) == Decimal(3)
    with pytest.raises(InputError):
        coerce("x.y", "decimal", 0.1)


def test_choices_are_enforced() -> None:
    with override(escort__signal_loss_boundary="greater_or_equal"):
        assert setting(STR_CHOICE) == "greater_or_equal"
    with pytest.raises(InputError) as caught, override(escort__signal_loss_boundary="sometimes"):
        pass
    assert caught.value.field == f"settings.{STR_CHOICE}"
    assert "strictly_greater" in caught.value.message


def test_unknown_setting_is_not_found() -> None:
    with pytest.raises(NotFound):
        get_setting("escort.no_such_setting")
    with pytest.raises(NotFound), override(escort__no_such_setting=1):
        pass


def test_settings_file_overrides_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, f"{INT}: 750\n{STR_CHOICE}: greater_or_equal\n")
    monkeypatch.setenv("KZREG_SETTINGS_FILE", path)
    assert setting(INT) == 750
    assert get_setting(INT).default == 1000
    assert setting(STR_CHOICE) == "greater_or_equal"
    assert setting(BOOL) is True  # not in the file: default
    with override(escort__route_corridor_half_width_m=10):  # code beats the file
        assert setting(INT) == 10
    assert setting(INT) == 750


def test_settings_file_with_a_bad_value_names_the_setting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KZREG_SETTINGS_FILE", write(tmp_path, f"{STR_CHOICE}: sometimes\n"))
    with pytest.raises(InputError) as caught:
        setting(STR_CHOICE)
    assert caught.value.field == f"settings.{STR_CHOICE}"


def test_settings_file_with_an_unknown_name_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KZREG_SETTINGS_FILE", write(tmp_path, "escort.corridor_width: 5\n"))
    with pytest.raises(NotFound) as caught:
        setting(INT)
    assert "escort.corridor_width" in caught.value.message
    assert caught.value.field == "KZREG_SETTINGS_FILE"


@pytest.mark.parametrize("text", ["- just\n- a list\n", "a: [unclosed\n"])
def test_settings_file_that_is_not_a_mapping_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setenv("KZREG_SETTINGS_FILE", write(tmp_path, text))
    with pytest.raises(InputError) as caught:
        setting(INT)
    assert caught.value.field == "KZREG_SETTINGS_FILE"


def test_missing_settings_file_fails_clearly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KZREG_SETTINGS_FILE", str(tmp_path / "absent.yaml"))
    with pytest.raises(InputError) as caught:
        setting(INT)
    assert caught.value.field == "KZREG_SETTINGS_FILE"


def test_setting_use_is_an_explanation_line() -> None:
    use = get_setting(STR_CHOICE).use()
    assert use.kind == "setting"
    assert use.name == STR_CHOICE and use.value == "strictly_greater"
    assert str(use) == ("setting escort.signal_loss_boundary = strictly_greater; "
                        "source: Order 407, Rules §3(8)")


def test_entries_with_an_unknown_type_or_a_value_outside_their_choices_are_refused() -> None:
    parse = settings_module._parse
    base = {"act": "order-407", "locator": "Rules §3(8)", "gap": "g", "reason": "r"}
    with pytest.raises(InputError) as caught:
        parse("x.y", {**base, "value": 1, "type": "float"})
    assert caught.value.field == "settings.x.y.type"
    with pytest.raises(InputError):
        parse("x.y", {**base, "value": "c", "type": "str", "choices": ["a", "b"]})
    parsed = parse("x.y", {**base, "value": "2024-03-01", "type": "date"})
    assert str(parsed.value) == "2024-03-01" and parsed.default == parsed.value


# --- the `kzreg settings` command (kzreg.commands.settings) ---------------------------------

def run_cli(*args: str):
    from typer.testing import CliRunner

    from kzreg.commands.settings import app

    return CliRunner().invoke(app, list(args))


def test_cli_list_filters_by_module_and_marks_overrides() -> None:
    result = run_cli("list", "--module", "escort")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines and all(line.startswith("escort.") for line in lines)
    assert any(STR_CHOICE in line and "strictly_greater" in line and "Rules §3(8)" in line
               for line in lines)
    with override(escort__route_corridor_half_width_m=500):
        line = next(x for x in run_cli("list", "--module", "escort").output.splitlines()
                    if x.startswith(INT))
    assert "* 500" in line


def test_cli_list_unknown_module_is_an_input_error() -> None:
    result = run_cli("list", "--module", "nonsense")
    assert isinstance(result.exception, InputError)
    assert result.exception.field == "--module"


def test_cli_show_prints_value_default_clause_gap_reason() -> None:
    result = run_cli("show", STR_CHOICE)
    assert result.exit_code == 0, result.output
    text = result.output
    for part in ("value:   strictly_greater", "default: strictly_greater",
                 "clause:  Order 407, Rules §3(8)", "gap:", "reason:", "greater_or_equal"):
        assert part in text


def test_cli_show_json_and_unknown_name() -> None:
    import json

    data = json.loads(run_cli("show", LIST, "--json").output)
    assert data["value"] == ["special_equipment", "trucks"]
    assert data["clause"]["act"] == "order-493" and data["overridden"] is False
    assert isinstance(run_cli("show", "escort.nope").exception, NotFound)
