"""together-tui: a keyboard-driven terminal app for Together AI dedicated inference endpoints."""

__version__ = "0.1.0"
