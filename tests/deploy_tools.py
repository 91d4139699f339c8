"""Driving the deploy and v2 update forms in Pilot tests: the app on the v2 simulator, and what forms show."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from apptools import frozen_clock, settle
from formtools import until
from textual.pilot import Pilot
from textual.widgets import Input, Select
from v2_tools import provider_for

from tui.app.app import TogetherApp
from tui.app.messages import OpenCreateForm
from tui.app.screens.deploy_form import DeployScreen
from tui.core.app_config import AppConfig
from tui.simulator import ManualClock, SimulatorServer


def make_v2_app(server: SimulatorServer, clock: ManualClock | None = None, **config: Any) -> TogetherApp:
    """The app on the combined Together provider (v2 and the legacy v1 endpoints), polls effectively off."""
    base = AppConfig(
        base_url=server.base_url, demo=True, refresh_interval=3600.0, fast_refresh_interval=3600.0,
        theme="textual-dark", remember_theme=False, clock=frozen_clock,
    )
    app = TogetherApp(provider_for(server, clock), replace(base, **config))
    app.animation_level = "none"
    return app


async def open_deploy(pilot: Pilot[None], **message: Any) -> DeployScreen:
    """Post ``OpenCreateForm`` as the panes do, once the store knows the account; wait for the profiles."""
    app = pilot.app
    assert isinstance(app, TogetherApp)
    await until(pilot, lambda: app.context.store.loaded, "the first list of endpoints")
    app.post_message(OpenCreateForm(**message))
    await until(pilot, lambda: isinstance(app.screen, DeployScreen), "the deploy form")
    form = app.screen
    assert isinstance(form, DeployScreen)
    if message.get("model") or message.get("redeploy_of"):
        await until(pilot, lambda: form.options is not None or form.options_error, "the profiles")
    return form


def type_into(form: Any, selector: str, text: str) -> None:
    box = form.query_one(selector, Input)
    box.value = text


def choose(form: Any, selector: str, value: str) -> None:
    form.query_one(selector, Select).value = value


__all__ = ["choose", "make_v2_app", "open_deploy", "settle", "type_into"]
