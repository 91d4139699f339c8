"""Make the README's screenshots from the demo: fixed size, frozen clocks, the same every run.

    python screenshots/generate.py

Each picture is the real app driven by key presses against the simulator (the demo's backend) with a
manual clock, a frozen app clock and a scripted timer for chat figures, so re-running it changes a file only
when the app's look changed.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from textual.pilot import Pilot  # noqa: E402
from textual.widgets import Collapsible, Input  # noqa: E402

from tui.api import Endpoint, Phase  # noqa: E402
from tui.api.together.combined import TogetherProvider  # noqa: E402
from tui.app.app import TogetherApp  # noqa: E402
from tui.app.messages import OpenChat, OpenUpdateForm  # noqa: E402
from tui.core.app_config import AppConfig  # noqa: E402
from tui.simulator import DEMO_API_KEY, ManualClock, Simulator, SimulatorConfig, SimulatorServer  # noqa: E402

EPOCH = 1768478400.0
NOW = datetime.fromtimestamp(EPOCH, UTC)
SIZE = (120, 36)

Scenario = Callable[[Pilot[None], TogetherApp, SimulatorServer], Awaitable[None]]


class ScriptedTimer:
    """Chat figures (TTFT, tokens/s) from a fixed 20 ms tick instead of the wall clock."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> float:
        self.calls += 1
        return self.calls * 0.02


async def settle(pilot: Pilot[None]) -> None:
    """Workers and the endpoint store's requests done (the store's poll loop itself never completes)."""
    app = pilot.app
    for _ in range(2):
        store = app.context.store  # type: ignore[attr-defined]
        passing = [worker for worker in app.workers if worker.group != "endpoint-store"]
        if passing:
            await app.workers.wait_for_complete(passing)
        await store.settled()
        await pilot.pause()


def still_cursors(app: TogetherApp) -> None:
    for box in app.screen.query(Input):
        box.cursor_blink = False


async def endpoint_for(app: TogetherApp, model: str, phase: Phase | None = None) -> Endpoint:
    listed = await app.provider.list_endpoints()
    chosen = next(e for e in listed if e.model == model and (phase is None or e.phase is phase))
    return await app.provider.get_endpoint(chosen.id)


async def select(pilot: Pilot[None], app: TogetherApp, name: str) -> Endpoint:
    """The cursor on the v2 endpoint whose name ends with ``name`` (found in the store), as a user would."""
    endpoint = next(e for e in app.context.store.endpoints.values() if e.name.endswith(name))
    app.endpoints_pane.show_endpoint(endpoint.id)
    await settle(pilot)
    return endpoint


async def endpoints(pilot: Pilot[None], app: TogetherApp, server: SimulatorServer) -> None:
    await settle(pilot)
    await select(pilot, app, "support-bot")
    await pilot.press("down")
    await settle(pilot)


async def hardware_for_a_model(pilot: Pilot[None], app: TogetherApp, server: SimulatorServer) -> None:
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    await app.hardware_pane.show_model("openai/gpt-oss-120b")
    await settle(pilot)


async def deploy_form(pilot: Pilot[None], app: TogetherApp, server: SimulatorServer) -> None:
    from tui.app.messages import OpenCreateForm

    await settle(pilot)
    app.post_message(OpenCreateForm(model="openai/gpt-oss-20b"))
    await settle(pilot)
    app.screen.query_one("#f-endpoint-name", Input).value = "chat-prod"
    app.screen.query_one("#f-max", Input).value = "3"
    still_cursors(app)
    await settle(pilot)


async def update_preview(pilot: Pilot[None], app: TogetherApp, server: SimulatorServer) -> None:
    await settle(pilot)
    endpoint = await select(pilot, app, "support-bot")
    app.post_message(OpenUpdateForm(endpoint, deployment_id=endpoint.deployments[0].id))
    await settle(pilot)
    app.screen.query_one("#f-max", Input).value = "5"
    still_cursors(app)
    await settle(pilot)


async def smart_delete(pilot: Pilot[None], app: TogetherApp, server: SimulatorServer) -> None:
    await settle(pilot)
    await select(pilot, app, "support-bot")
    await pilot.press("d")
    await settle(pilot)
    still_cursors(app)


async def events(pilot: Pilot[None], app: TogetherApp, server: SimulatorServer) -> None:
    from tui.app.messages import OpenEvents

    await settle(pilot)
    endpoint = await select(pilot, app, "support-bot")
    app.post_message(OpenEvents(endpoint))
    await settle(pilot)


async def chat_with_reasoning(pilot: Pilot[None], app: TogetherApp, server: SimulatorServer) -> None:
    from tui.app.panes.chat import PromptInput

    await settle(pilot)
    endpoint = next(e for e in app.context.store.endpoints.values() if e.name.endswith("support-bot"))
    app.post_message(OpenChat(endpoint))
    await settle(pilot)
    pane = app.chat_pane
    pane.perf_counter = ScriptedTimer()
    prompt = pane.query_one(PromptInput)
    prompt.cursor_blink = False
    prompt.insert("Why would I use a dedicated endpoint? [sim:tokens=60]")
    await pilot.press("enter")
    await settle(pilot)
    # Open the reasoning block, which folds itself away once the answer starts.
    for block in pane.query(Collapsible):
        block.collapsed = False
    await settle(pilot)


async def help_screen(pilot: Pilot[None], app: TogetherApp, server: SimulatorServer) -> None:
    await settle(pilot)
    await pilot.press("question_mark")
    await settle(pilot)


SCENARIOS: dict[str, Scenario] = {
    "endpoints": endpoints,
    "hardware": hardware_for_a_model,
    "deploy-form": deploy_form,
    "update-preview": update_preview,
    "smart-delete": smart_delete,
    "events": events,
    "chat": chat_with_reasoning,
    "help": help_screen,
}


async def shoot(name: str, scenario: Scenario) -> Path:
    # speed=1 with a manual clock: the seeded STARTING/PENDING endpoints stay in transition.
    sim = Simulator(SimulatorConfig(api_key=DEMO_API_KEY, speed=1.0, seed=0, tokens_per_second=0,
                                    clock=ManualClock(EPOCH), legacy_v1=False))  # today's account, as the demo
    with SimulatorServer(sim) as server:
        provider = TogetherProvider.connect(DEMO_API_KEY, server.base_url, inference_url=server.root_url, environ={})
        config = AppConfig(base_url=server.base_url, demo=True, refresh_interval=3600.0,
                           fast_refresh_interval=3600.0, remember_theme=False, clock=lambda: NOW)
        app = TogetherApp(provider, config)
        app.animation_level = "none"
        async with app.run_test(size=SIZE, notifications=False) as pilot:
            await scenario(pilot, app, server)
            path = Path(app.save_screenshot(filename=f"{name}.svg", path=str(HERE)))
    return path


async def first_run() -> Path:
    from tui.app.first_run import FirstRunApp
    from tui.keys.store import FileStore, KeyringStore, KeyStore

    store = KeyStore(KeyringStore(), FileStore(Path("~/.config/together-tui/credentials.toml")))
    app = FirstRunApp(base_url="https://api.together.ai/v1", profile="default", store=store)
    app.animation_level = "none"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.query_one("#key", Input).cursor_blink = False
        await pilot.press(*"not-a-real-key")
        await pilot.pause()
        return Path(app.save_screenshot(filename="first-run.svg", path=str(HERE)))


async def main() -> int:
    wanted = set(sys.argv[1:])
    for name, scenario in SCENARIOS.items():
        if not wanted or name in wanted:
            print(await shoot(name, scenario))
    if not wanted or "first-run" in wanted:
        print(await first_run())
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
