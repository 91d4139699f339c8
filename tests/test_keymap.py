"""The binding table: the ids every widget binds, the ids settings may name, and the advice for a typo."""

from __future__ import annotations

from tui.app.bindings import bindings
from tui.core import keymap


def test_ids_are_unique_and_scoped() -> None:
    ids = [key.id for keys in keymap.TABLE.values() for key in keys]
    assert len(ids) == len(set(ids)) == len(keymap.BY_ID)
    for name, keys in keymap.TABLE.items():
        root = name.split(".")[0]
        assert all(key.id.split(".")[0] in (root, "form", "model_picker") for key in keys), name


def test_a_scope_becomes_textual_bindings_with_their_ids() -> None:
    made = bindings("endpoints")
    start = next(binding for binding in made if binding.id == "endpoints.start")
    assert (start.key, start.action, start.description) == ("s", "start", "Start")
    assert "billing" in start.tooltip


def test_an_unknown_id_is_named_with_the_nearest_known_one() -> None:
    assert keymap.unknown_binding_problem("app.quit") is None
    assert keymap.unknown_binding_problem("quit") == "unknown binding id 'quit'; did you mean app.quit?"
    assert keymap.unknown_binding_problem("endpoints.strat") == (
        "unknown binding id 'endpoints.strat'; did you mean endpoints.start?")
    assert keymap.unknown_binding_problem("zzz") == "unknown binding id 'zzz'"


def test_help_lists_every_scope_but_the_first_run_apps() -> None:
    from tui.app.screens.help import all_groups

    listed = [scope for _, scopes in all_groups() for scope in scopes]
    assert sorted(listed) == sorted(set(keymap.TABLE) - {"first_run"})


def test_the_table_keys_shadow_no_key_of_a_pane() -> None:
    """A focused table takes its keys before the pane around it: a pane binding j, k, g, G, Home or End
    would never run while its table has the focus."""
    table_keys = {name for key in keymap.scope("table") for name in key.keys.split(",")}
    for pane in ("endpoints", "hardware"):
        pane_keys = {name for key in keymap.scope(pane) for name in key.keys.split(",")}
        assert not table_keys & pane_keys, pane
