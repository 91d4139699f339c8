"""The first frame: what start-up avoids doing twice."""

from __future__ import annotations

import pytest
from fakes import FakeProvider, endpoint

from tui.app.app import TogetherApp
from tui.app.config import AppConfig


async def test_the_first_screen_wears_its_height_class_before_its_first_styles(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Resize that follows the first compose finds the breakpoint class already there (added after the
    first style pass, it restyled every widget once more before the first frame)."""
    classes_at_compose: list[set[str]] = []
    compose = TogetherApp.compose

    def composing(self: TogetherApp):  # type: ignore[no-untyped-def]
        classes_at_compose.append(set(self.screen.classes))
        yield from compose(self)

    monkeypatch.setattr(TogetherApp, "compose", composing)
    for height, wanted, other in ((36, "-tall", "-short"), (16, "-short", "-tall")):
        app = TogetherApp(FakeProvider.with_endpoints(endpoint("ep-1")), AppConfig(refresh_interval=60))  # type: ignore[arg-type]
        async with app.run_test(size=(120, height)) as pilot:
            await pilot.pause()
            assert app.screen.has_class(wanted) and not app.screen.has_class(other)
        assert wanted in classes_at_compose[-1] and other not in classes_at_compose[-1]
