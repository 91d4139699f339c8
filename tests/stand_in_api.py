"""A stand-in for the Together API for key checks: answers every request with one status, or raises."""

from __future__ import annotations

import httpx


class StandInApi:
    def __init__(self, status: int = 200, error: Exception | None = None) -> None:
        self.status = status
        self.error = error
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.error is not None:
            raise self.error
        return httpx.Response(self.status, json={"object": "list", "data": []})

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)
