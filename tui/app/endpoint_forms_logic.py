"""Moved: the forms' model is ``tui.core.forms``, hardware choice ``tui.core.hardware_choice``, formatting
``tui.core.format``. Kept only for the Hardware pane and its tests until they import from there."""

from tui.core.format import format_context, format_money, format_tokens
from tui.core.hardware_choice import HardwareSort, availability_look, filter_hardware, sort_hardware

__all__ = [
    "HardwareSort",
    "availability_look",
    "filter_hardware",
    "format_context",
    "format_money",
    "format_tokens",
    "sort_hardware",
]
