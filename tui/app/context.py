"""What every pane and screen gets from the app: no widget imports the App or reaches into it.

The App builds one ``AppContext`` and hands it down; panes read the store and the catalogue from it, act
through the store, and ask for other screens with the messages in ``tui.app.messages``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from tui.core.costs import Burn, burn_per_hour

if TYPE_CHECKING:
    from tui.api.provider import Provider
    from tui.core.app_config import AppConfig
    from tui.core.catalog import Catalog
    from tui.core.store import EndpointStore


@dataclass(frozen=True)
class AppContext:
    provider: Provider
    store: EndpointStore
    catalog: Catalog
    config: AppConfig
    #: Something the user should hear whichever pane is open (and the bell, if they asked for it).
    announce: Callable[..., None]

    @property
    def read_only(self) -> bool:
        return self.config.read_only

    def now(self) -> datetime:
        return self.config.clock()

    def burn(self) -> Burn | None:
        """The account's spend per hour at the store's endpoints and the catalogue's prices; None until the
        first list of endpoints arrived (there is nothing to add up yet)."""
        if not self.store.loaded:
            return None
        return burn_per_hour(self.store.endpoints.values(), self.catalog.known_hardware())
