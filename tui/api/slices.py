"""Validators of a slice of list items, one per wire model, shared by every control plane's list reader.

One validation call per slice (a call per item costs a fifth more). Building one is a single piece of work
of several milliseconds (a model's schema is deferred until then), so a reader may build it in a thread
while its first page is on its way (``built`` says whether it still has to).
"""

from __future__ import annotations

import threading
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter

M = TypeVar("M", bound=BaseModel)

_ADAPTERS: dict[type[BaseModel], TypeAdapter[Any]] = {}
_BUILDING = threading.Lock()


def built(model: type[BaseModel]) -> bool:
    return model in _ADAPTERS


def slice_adapter(model: type[M]) -> TypeAdapter[list[M]]:
    """The model's slice validator, built once (the loop may ask while a thread builds it: once, and whole)."""
    adapter = _ADAPTERS.get(model)
    if adapter is None:
        with _BUILDING:
            adapter = _ADAPTERS.get(model)
            if adapter is None:
                adapter = _ADAPTERS[model] = TypeAdapter(list[model])  # type: ignore[valid-type]
    return adapter
