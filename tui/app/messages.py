"""Cross-pane requests: a pane asks, the App decides which screen opens. No pane knows another."""

from __future__ import annotations

from textual.message import Message

from tui.api.domain import Endpoint


class OpenCreateForm(Message):
    def __init__(
        self, *, model: str | None = None, hardware_id: str | None = None, clone_of: Endpoint | None = None
    ) -> None:
        super().__init__()
        self.model = model
        self.hardware_id = hardware_id
        self.clone_of = clone_of


class OpenUpdateForm(Message):
    def __init__(self, endpoint: Endpoint) -> None:
        super().__init__()
        self.endpoint = endpoint


class OpenChat(Message):
    def __init__(self, endpoint: Endpoint | None = None) -> None:
        super().__init__()
        self.endpoint = endpoint
