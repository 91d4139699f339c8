"""TEMPORARY re-export while tui/app/endpoint_tracking.py is being edited; moved here whole in the next step."""

from tui.app.endpoint_tracking import (  # noqa: F401
    EXPECTED_AFTER,
    DetailCache,
    Expected,
    PollScheduler,
    StateTimeline,
    WaitOutcome,
    WaitTarget,
    WaitTracker,
    fetch_bounded,
)
