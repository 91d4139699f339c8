"""The app on today's Together account (v2 endpoints with deployments beside two legacy v1 ones), for the
Endpoints pane's tree tests: building it, finding rows, reading cells."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from apptools import frozen_clock
from v2_tools import provider_for, today

from tui.app.app import TogetherApp
from tui.app.widgets.endpoint_table import EndpointTable
from tui.core.app_config import AppConfig
from tui.simulator import ManualClock, SimulatorServer

__all__ = ["cell", "deployment_id", "endpoint_id", "make_tree_app", "rows", "table_of", "today"]


def make_tree_app(server: SimulatorServer, clock: ManualClock | None = None, **config: Any) -> TogetherApp:
    """The app as a user runs it on the combined provider; polls effectively off (tests refresh by hand)."""
    base = AppConfig(
        base_url=server.base_url, demo=True, refresh_interval=3600.0, fast_refresh_interval=3600.0,
        theme="textual-dark", remember_theme=False, clock=frozen_clock,
    )
    app = TogetherApp(provider_for(server, clock), replace(base, **config))
    app.animation_level = "none"
    return app


def table_of(app: TogetherApp) -> EndpointTable:
    return app.query_one("#endpoints-table", EndpointTable)


def cell(app: TogetherApp, key: str, column: str) -> str:
    return table_of(app).get_cell(key, column).plain


def rows(app: TogetherApp, column: str = "name") -> list[str]:
    """One column of the table as shown, top to bottom."""
    table = table_of(app)
    return [table.get_cell(key, column).plain for key in table.keys]


def endpoint_id(app: TogetherApp, name_part: str) -> str:
    for endpoint in app.context.store.endpoints.values():
        if name_part in endpoint.name:
            return endpoint.id
    raise AssertionError(f"no endpoint like {name_part!r}")


def deployment_id(app: TogetherApp, name_part: str) -> str:
    for endpoint in app.context.store.endpoints.values():
        for deployment in endpoint.deployments:
            if name_part in deployment.name:
                return deployment.id
    raise AssertionError(f"no deployment like {name_part!r}")
