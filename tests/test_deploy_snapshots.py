"""What the v2 forms look like on the simulator's account: the deploy form with profiles and its review, the
update preview, the migration offer (over the Hardware pane, wide and 80x24)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from apptools import settle
from deploy_tools import make_v2_app
from formtools import until
from textual.widgets import Input
from v2_tools import GPT_OSS_20B, Start, today

from tui.app.app import TogetherApp
from tui.app.messages import OpenCreateForm
from tui.app.screens.deploy_form import DeployScreen
from tui.app.screens.deployment_update import DeploymentUpdateScreen
from tui.app.screens.migration_offer import MigrationOffer


async def over_hardware_pane(pilot: Any) -> TogetherApp:
    app: TogetherApp = pilot.app
    await until(pilot, lambda: app.context.store.loaded, "the first list")
    app.action_show_pane("hardware")
    await settle(pilot)
    return app


def still_cursors(app: TogetherApp) -> None:
    for box in app.screen.query(Input):
        box.cursor_blink = False


def open_deploy(*presses: str, **message: Any) -> Callable[[Any], Awaitable[None]]:
    async def run_before(pilot: Any) -> None:
        app = await over_hardware_pane(pilot)
        app.post_message(OpenCreateForm(**message))
        await until(pilot, lambda: isinstance(app.screen, DeployScreen) and app.screen.options is not None, "profiles")
        still_cursors(app)
        await pilot.press(*presses)
        await settle(pilot)
        still_cursors(app)

    return run_before


def support_bot(app: TogetherApp) -> Any:
    return next(e for e in app.context.store.endpoints.values() if e.name.endswith("/support-bot"))


def test_deploy_form_profiles_listed(snap_compare: Any, start_simulator: Start) -> None:
    run_before = open_deploy("enter", model=GPT_OSS_20B)
    assert snap_compare(make_v2_app(today(start_simulator)), terminal_size=(120, 40), run_before=run_before)


def test_deploy_form_filled(snap_compare: Any, start_simulator: Start) -> None:
    run_before = open_deploy("tab", "tab", *"fresh-bot", "tab", "tab", "tab", "tab", "backspace", "3",
                             model=GPT_OSS_20B)
    assert snap_compare(make_v2_app(today(start_simulator)), terminal_size=(120, 40), run_before=run_before)


def test_deploy_review(snap_compare: Any, start_simulator: Start) -> None:
    run_before = open_deploy("tab", "tab", *"fresh-bot", "ctrl+s", model=GPT_OSS_20B)
    assert snap_compare(make_v2_app(today(start_simulator)), terminal_size=(120, 40), run_before=run_before)


def test_deploy_form_80x24(snap_compare: Any, start_simulator: Start) -> None:
    run_before = open_deploy("tab", "tab", *"Bad Name", "ctrl+s", model=GPT_OSS_20B)
    assert snap_compare(make_v2_app(today(start_simulator)), terminal_size=(80, 24), run_before=run_before)


def open_update(*presses: str) -> Callable[[Any], Awaitable[None]]:
    async def run_before(pilot: Any) -> None:
        app = await over_hardware_pane(pilot)
        app.push_screen(DeploymentUpdateScreen(app.context, support_bot(app)))
        await until(pilot, lambda: isinstance(app.screen, DeploymentUpdateScreen) and app.screen.current, "settings")
        still_cursors(app)
        await pilot.press(*presses)
        await settle(pilot)

    return run_before


def test_update_preview(snap_compare: Any, start_simulator: Start) -> None:
    run_before = open_update("tab", "backspace", "4", "tab", "tab", "tab", "ctrl+u", "9", "0", "tab", "tab", "ctrl+u",
                             *"0.5")
    assert snap_compare(make_v2_app(today(start_simulator)), terminal_size=(120, 40), run_before=run_before)


def test_migration_offer(snap_compare: Any, start_simulator: Start) -> None:
    async def run_before(pilot: Any) -> None:
        app = await over_hardware_pane(pilot)
        legacy = next(e for e in app.context.store.endpoints.values() if e.api == "v1" and e.phase.billing)
        app.push_screen(MigrationOffer(app.context, legacy=legacy, replacement=support_bot(app)))
        await settle(pilot)

    assert snap_compare(make_v2_app(today(start_simulator)), terminal_size=(100, 30), run_before=run_before)


def test_update_preview_80x24(snap_compare: Any, start_simulator: Start) -> None:
    run_before = open_update("tab", "backspace", "4")
    assert snap_compare(make_v2_app(today(start_simulator)), terminal_size=(80, 24), run_before=run_before)
