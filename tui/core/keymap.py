"""Every key binding of the app as data: one table feeds the bindings, the help screen, the palette and
the settings' ``[keymap]`` validation. No Textual here (settings are read before the UI exists);
``tui.app.bindings`` turns a scope's rows into Textual ``Binding`` objects.

A binding id names what a key does (``endpoints.start``); the user remaps it with ``"endpoints.start" =
"S"`` in ``[keymap]``. Ids are stable: renaming one breaks someone's settings.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Key:
    id: str
    #: Textual key names, comma-separated for several.
    keys: str
    action: str
    description: str
    tooltip: str = ""
    #: In the footer (False: only in help and the palette).
    show: bool = True
    priority: bool = False


#: Scope -> its bindings, in the order help lists them.
TABLE: dict[str, tuple[Key, ...]] = {
    # TogetherApp (tui.app.app)
    "app": (
        Key("app.pane.endpoints", "1", "show_pane('endpoints')", "Endpoints", show=False),
        Key("app.pane.hardware", "2", "show_pane('hardware')", "Hardware", show=False),
        Key("app.pane.chat", "3", "show_pane('chat')", "Chat", show=False),
        Key("app.pane.previous", "left_square_bracket", "cycle_pane(-1)", "Previous pane", show=False),
        Key("app.pane.next", "right_square_bracket", "cycle_pane(1)", "Next pane", show=False),
        Key("app.help", "question_mark", "help", "Help"),
        Key("app.quit", "ctrl+q", "quit", "Quit", priority=True),
        # Not a priority binding: a focused Input or TextArea takes "q" as text first (Textual drops a
        # binding whose key the focused widget consumes), and a dialog keeps its own keys.
        Key(
            "app.quit_q",
            "q",
            "quit_or_ask",
            "Quit",
            tooltip="Quit (asks first while an action or an answer is in flight); ctrl+q quits from anywhere",
            show=False,
        ),
    ),
    # TableKeys (tui.app.widgets.table_keys): every table, k9s and lazydocker habits beside the arrows.
    "table": (
        Key("table.down", "j", "cursor_down", "Down", tooltip="Next row of a table (as down)", show=False),
        Key("table.up", "k", "cursor_up", "Up", tooltip="Previous row of a table (as up)", show=False),
        Key("table.first", "g,home", "scroll_top", "First row", tooltip="First row of a table", show=False),
        Key("table.last", "G,end", "scroll_bottom", "Last row", tooltip="Last row of a table", show=False),
    ),
    # ScrollKeys (tui.app.widgets.scroll_keys): help, the chat conversation, any scrolling text.
    "scroll": (
        Key("scroll.down", "j", "scroll_down", "Scroll down", tooltip="In help and the chat conversation",
            show=False),
        Key("scroll.up", "k", "scroll_up", "Scroll up", tooltip="In help and the chat conversation", show=False),
        Key("scroll.top", "g", "scroll_home", "Top", tooltip="In help and the chat conversation", show=False),
        Key("scroll.bottom", "G", "scroll_end", "Bottom", tooltip="In help and the chat conversation", show=False),
    ),
    # FirstRunApp (tui.app.first_run)
    "first_run": (
        Key("first_run.demo", "ctrl+d", "demo", "Start the demo", priority=True),
        Key("first_run.quit", "escape,ctrl+q", "quit", "Quit"),
    ),
    # EndpointsPane (tui.app.panes.endpoints)
    "endpoints": (
        Key(
            "endpoints.start",
            "s",
            "start",
            "Start",
            tooltip="Start the selected endpoint; billing begins once it is STARTED",
        ),
        Key(
            "endpoints.stop", "x", "stop", "Stop", tooltip="Stop the selected endpoint; billing ends once it is STOPPED"
        ),
        Key(
            "endpoints.delete",
            "d",
            "delete",
            "Delete",
            tooltip="Delete the selected endpoint (asks first; Cancel is focused)",
        ),
        Key("endpoints.new", "n", "new", "New", tooltip="Create a new dedicated endpoint"),
        Key(
            "endpoints.edit",
            "e",
            "edit",
            "Edit",
            tooltip="Change the display name, replicas or idle timeout of the selected endpoint",
        ),
        Key("endpoints.chat", "c", "chat", "Chat", tooltip="Chat with the selected endpoint's model"),
        Key(
            "endpoints.smoke_test",
            "t",
            "smoke_test",
            "Test",
            tooltip="Send a short prompt to the selected STARTED endpoint; report TTFT and tokens/s",
        ),
        Key(
            "endpoints.copy_name",
            "y",
            "copy_name",
            "Copy",
            tooltip="Copy the name to pass as model (OSC 52: works over SSH)",
        ),
        Key("endpoints.filter", "slash", "filter", "Filter", tooltip="Filter rows by name, model, hardware or state"),
        Key(
            "endpoints.refresh", "r", "refresh", "Refresh", tooltip="Refresh the list and every endpoint's details now"
        ),
        Key(
            "endpoints.sort",
            "o",
            "cycle_sort",
            "Sort",
            tooltip="Sort by the next column (name, state, $/hour, age, model, hardware, replicas)",
            show=False,
        ),
        Key(
            "endpoints.reverse_sort", "O", "reverse_sort", "Reverse sort", tooltip="Reverse the sort order", show=False
        ),
        Key(
            "endpoints.serverless",
            "a",
            "toggle_serverless",
            "Serverless",
            tooltip="Show or hide serverless models beside your dedicated endpoints",
            show=False,
        ),
        Key("endpoints.details", "i", "toggle_details", "Details", tooltip="Show or hide the detail panel", show=False),
        Key(
            "endpoints.clear_filter",
            "escape",
            "clear_filter",
            "Clear filter",
            tooltip="Clear the filter and show every row",
            show=False,
        ),
        Key(
            "endpoints.scale",
            "S",
            "scale",
            "Scale",
            tooltip="Set the selected deployment's min/max replicas (shows the $/hour range; asks before sending)",
        ),
        Key("endpoints.read_only", "s,x,d,n,e", "refuse_read_only", "", show=False),
        # Screens of their own (tui.app.screens.events, metrics, traffic_split), opened by message.
        Key("endpoints.events", "v", "events", "Events", tooltip="The selected endpoint's events, followed live",
            show=False),
        Key("endpoints.metrics", "M", "metrics", "Metrics",
            tooltip="Requests, latency, tokens and use of the selected endpoint over 1 h / 24 h / 7 d", show=False),
        Key("endpoints.traffic", "w", "traffic", "Traffic split",
            tooltip="Edit how the endpoint shares requests between its deployments (asks before sending)",
            show=False),
        Key("endpoints.compare", "C", "compare", "Side by side",
            tooltip="One prompt to two targets (this endpoint and another deployment or model), side by side",
            show=False),
    ),
    # HardwarePane (tui.app.panes.hardware)
    "hardware": (
        Key(
            "hardware.model",
            "m",
            "pick_model",
            "Model",
            tooltip="Pick a model: the table narrows to what it runs on, with availability",
        ),
        Key(
            "hardware.filter",
            "slash",
            "filter",
            "Filter",
            tooltip="Filter rows by words in the id, GPU, memory, link or availability",
        ),
        Key(
            "hardware.hide_unavailable",
            "u",
            "toggle_unavailable",
            "Hide unavailable",
            tooltip="Hide or show hardware the picked model cannot get right now",
        ),
        Key(
            "hardware.sort",
            "o",
            "cycle_sort",
            "Sort",
            tooltip="Sort by the next column: cheapest available, price, memory, GPU, count, id",
        ),
        Key("hardware.reverse", "O", "reverse_sort", "Reverse sort", tooltip="Reverse the current order", show=False),
        Key(
            "hardware.create",
            "n",
            "create",
            "New endpoint",
            tooltip="Open the create form with this model and hardware filled in (also enter)",
        ),
        Key(
            "hardware.calculator",
            "c",
            "calculator",
            "Cost calc",
            tooltip="Edit replicas and hours per day in the cost calculator",
            show=False,
        ),
        Key("hardware.refresh", "r", "refresh", "Refresh", tooltip="Ask the API for hardware again"),
        Key(
            "hardware.back",
            "escape",
            "back",
            "Back to table",
            tooltip="Leave the filter or calculator; clears the filter",
            show=False,
        ),
    ),
    # ChatPane (tui.app.panes.chat)
    "chat": (
        Key(
            "chat.target",
            "ctrl+t",
            "choose_target",
            "Target",
            tooltip="Choose the endpoint or serverless model to chat with",
        ),
        Key(
            "chat.stop",
            "escape",
            "stop",
            "Stop",
            tooltip="Stop the answer now (what arrived stays) or drop a queued prompt",
        ),
        Key(
            "chat.start_endpoint",
            "ctrl+g",
            "start_endpoint",
            "Start endpoint",
            tooltip="Start the stopped endpoint and send the prompt once it is ready",
        ),
        Key(
            "chat.redeploy",
            "ctrl+g",
            "redeploy",
            "Redeploy on v2",
            tooltip="Open the deploy form filled from the stopped v1 endpoint (nothing is made until you confirm)",
        ),
        Key(
            "chat.traffic",
            "ctrl+g",
            "give_traffic",
            "Give it traffic",
            tooltip="Open the endpoint's traffic split: its deployments serve but none has weight",
        ),
        Key("chat.retry", "ctrl+r", "retry", "Retry", tooltip="Send the last prompt again"),
        Key(
            "chat.copy",
            "y",
            "copy_answer",
            "Copy answer",
            tooltip="Copy the last answer to the clipboard (OSC 52, works over SSH)",
        ),
        Key("chat.export", "ctrl+s", "export", "Export", tooltip="Save the conversation as a Markdown file"),
        Key(
            "chat.options",
            "ctrl+o",
            "toggle_options",
            "Options",
            tooltip="System prompt, temperature, max tokens, top_p, reasoning effort",
        ),
        Key(
            "chat.new",
            "ctrl+n",
            "new_chat",
            "New chat",
            tooltip="Clear the conversation (the target and options stay)",
            show=False,
        ),
        Key("chat.prompt", "i", "focus_prompt", "Write", tooltip="Move to the prompt box", show=False),
        Key(
            "chat.smoke_test",
            "ctrl+k",
            "smoke_test",
            "Smoke test",
            tooltip="Send a short fixed prompt to the target and report TTFT and tokens/s",
            show=False,
        ),
    ),
    # PromptInput (tui.app.widgets.chat_prompt)
    "chat.prompt": (
        Key("chat.send", "enter", "send", "Send", tooltip="Send the prompt"),
        Key(
            "chat.newline",
            "shift+enter,ctrl+j",
            "newline",
            "Newline",
            tooltip="Start a new line in the prompt (ctrl+j where shift+enter is not sent)",
        ),
        Key(
            "chat.leave_prompt",
            "escape",
            "leave",
            "To conversation",
            tooltip="Move to the conversation: y copies the last answer, arrows scroll, i comes back",
            show=False,
        ),
    ),
    # ConfirmNewChatScreen (tui.app.screens.confirm_new_chat)
    "chat.confirm_new": (
        Key("chat.confirm_new.clear", "y", "answer(True)", "Clear", priority=True),
        Key("chat.confirm_new.keep", "n,escape", "answer(False)", "Keep", priority=True),
    ),
    # TargetPicker (tui.app.widgets.chat_target)
    "chat.target": (Key("chat.target.close", "escape", "close", "Close", tooltip="Close the target list"),),
    # ExportChatScreen (tui.app.screens.export_chat)
    "chat.export": (Key("chat.export.cancel", "escape", "cancel", "Cancel", tooltip="Close without saving"),),
    # EndpointFormScreen (tui.app.screens.endpoint_form)
    "form": (
        Key("form.submit", "ctrl+s", "submit", "Submit", tooltip="Send the form (enter in a text box only moves on)"),
        Key("form.cancel", "escape", "cancel", "Cancel", tooltip="Close without sending anything"),
    ),
    # CreateEndpointScreen (tui.app.screens.endpoint_form)
    "form.create": (
        Key(
            "form.create",
            "ctrl+s",
            "submit",
            "Create",
            tooltip="Create the endpoint; sent once, never retried (enter in a text box only moves on)",
        ),
        Key(
            "form.reload",
            "ctrl+r",
            "reload",
            "Reload lists",
            tooltip="Ask the API again for models, hardware and zones",
            show=False,
        ),
    ),
    # UpdateEndpointScreen (tui.app.screens.endpoint_form)
    "form.update": (
        Key(
            "form.save",
            "ctrl+s",
            "submit",
            "Save",
            tooltip="Send the changes shown in the preview (enter in a text box only moves on)",
        ),
        Key(
            "form.clone",
            "ctrl+n",
            "clone",
            "Clone as new",
            tooltip=(
                "Model, hardware and speculative decoding cannot change in place: "
                "open the create form pre-filled from this endpoint"
            ),
        ),
    ),
    # ModelField (tui.app.widgets.model_picker)
    "model_field": (
        Key(
            "model_field.pick",
            "enter,space",
            "pick",
            "Pick model",
            tooltip="Search the models that can run on a dedicated endpoint",
        ),
    ),
    # ModelPicker (tui.app.widgets.model_picker)
    "model_picker": (
        Key("model_picker.next", "down", "move(1)", "Next", show=False),
        Key("model_picker.previous", "up", "move(-1)", "Previous", show=False),
        Key("model_picker.page_down", "pagedown", "move(8)", "Page down", show=False),
        Key("model_picker.page_up", "pageup", "move(-8)", "Page up", show=False),
        Key(
            "model_picker.reload",
            "ctrl+r",
            "reload",
            "Reload models",
            tooltip="Ask the API for the list of deployable models again",
        ),
    ),
    # ModelPickerScreen (tui.app.widgets.model_picker)
    "model_picker.screen": (
        Key("model_picker.cancel", "escape", "cancel", "Cancel", tooltip="Close without changing the model"),
    ),
    # ConfirmDeleteScreen (tui.app.screens.confirm_delete)
    "confirm_delete": (Key("confirm_delete.cancel", "escape", "cancel", "Cancel"),),
    # ConfirmStartScreen (tui.app.screens.confirm_start)
    "confirm_start": (
        Key("confirm_start.start", "y,enter", "answer(True)", "Start", priority=True),
        Key("confirm_start.cancel", "n,escape", "answer(False)", "Cancel", priority=True),
    ),
    # ConfirmQuitScreen (tui.app.screens.confirm_quit)
    "confirm_quit": (
        Key("confirm_quit.quit", "y,enter", "answer(True)", "Quit", priority=True),
        Key("confirm_quit.stay", "n,escape", "answer(False)", "Stay", priority=True),
    ),
    # DeployScreen (tui.app.screens.deploy_form)
    "form.deploy": (
        Key(
            "form.deploy",
            "ctrl+s",
            "submit",
            "Review",
            tooltip="Check with the API (validateOnly) and review the cost; deploying takes one more key",
        ),
        Key("form.deploy.reload", "ctrl+r", "reload", "Reload lists",
            tooltip="Ask the API again for models and profiles", show=False),
    ),
    # ConfirmDeployScreen (tui.app.screens.deploy_confirm)
    "confirm_deploy": (
        Key("confirm_deploy.deploy", "y", "answer(True)", "Deploy", priority=True),
        Key("confirm_deploy.back", "n,escape", "answer(False)", "Back to the form", priority=True),
    ),
    # ConfirmDiscardScreen (tui.app.screens.confirm_discard)
    "confirm_discard": (
        Key("confirm_discard.discard", "y", "answer(True)", "Discard", priority=True),
        Key("confirm_discard.keep", "n,escape", "answer(False)", "Keep editing", priority=True),
    ),
    # MigrationOffer (tui.app.screens.migration_offer)
    "migration_offer": (
        Key("migration_offer.keep", "escape,n", "keep", "Keep both", priority=True),
    ),
    # DeploymentUpdateScreen (tui.app.screens.deployment_update)
    "form.deployment": (
        Key(
            "form.deployment.save",
            "ctrl+s",
            "submit",
            "Save",
            tooltip="Send only the changes shown in the preview, with the etag loaded (enter only moves on)",
        ),
        Key("form.deployment.reload", "ctrl+r", "reload", "Reload",
            tooltip="Load the deployment as it is now (after a conflict)"),
    ),
    # ChooseDeploymentsScreen (tui.app.screens.choose_deployments)
    "choose_deployments": (Key("choose_deployments.cancel", "escape", "cancel", "Cancel"),),
    # ScaleScreen (tui.app.screens.scale)
    "scale": (
        Key("scale.apply", "ctrl+s", "apply", "Apply", tooltip="Send these bounds (the preview shows the cost)"),
        Key("scale.cancel", "escape", "cancel", "Cancel", tooltip="Close without sending anything"),
    ),
    # HelpScreen (tui.app.screens.help)
    "help": (Key("help.close", "escape,question_mark,q", "dismiss", "Close"),),
    # EventsScreen (tui.app.screens.events)
    "events": (
        Key("events.close", "escape", "close", "Close"),
        Key("events.level", "l", "cycle_level", "Level", tooltip="Show events from this level up: all, warn, error"),
        Key("events.type", "t", "cycle_type", "Type", tooltip="Show only one type of event (cycles through the types)"),
        Key("events.copy", "y", "copy_event", "Copy", tooltip="Copy the selected event (OSC 52, works over SSH)"),
        Key("events.older", "m", "older", "Older", tooltip="Fetch the next page of older events"),
    ),
    # MetricsScreen (tui.app.screens.metrics)
    "metrics": (
        Key("metrics.close", "escape", "close", "Close"),
        Key("metrics.window", "w", "next_window", "Window", tooltip="Next window: 1 h, 24 h, 7 d"),
    ),
    # TrafficSplitScreen (tui.app.screens.traffic_split)
    "traffic": (
        Key("traffic.send", "ctrl+s", "submit", "Send",
            tooltip="Review the new split; sending takes one more key (y)"),
        Key("traffic.reload", "ctrl+r", "reload", "Reload", tooltip="Load the endpoint's split as it is now"),
        Key("traffic.cancel", "escape", "cancel", "Cancel", tooltip="Close without sending anything"),
    ),
    # CompareChatScreen (tui.app.screens.compare_chat)
    "compare_chat": (
        Key("compare_chat.close", "escape", "close", "Stop / close",
            tooltip="Stop both answers (what arrived stays); when nothing streams, close"),
        Key("compare_chat.target", "ctrl+t", "pick_target", "Target B", tooltip="Next target for side B"),
        Key("compare_chat.swap", "ctrl+o", "swap", "Swap", tooltip="Swap the two targets"),
        Key("compare_chat.repeat", "ctrl+r", "repeat", "Repeat", tooltip="Send the last prompt to both again"),
        Key("compare_chat.export", "ctrl+s", "export", "Export",
            tooltip="Save both answers of every prompt as Markdown"),
    ),
    # ConfirmSplitScreen (tui.app.screens.traffic_split)
    "confirm_split": (
        Key("confirm_split.send", "y", "answer(True)", "Send", priority=True),
        Key("confirm_split.back", "n,escape", "answer(False)", "Back", priority=True),
    ),
}

BY_ID: dict[str, Key] = {key.id: key for keys in TABLE.values() for key in keys}


def scope(name: str) -> tuple[Key, ...]:
    return TABLE[name]


def unknown_binding_problem(binding_id: str) -> str | None:
    """None for a known id; else the problem, with the nearest known id ("did you mean app.quit?")."""
    if binding_id in BY_ID:
        return None
    # A bare action name ("quit") is the commonest slip: suggest the id whose action it is.
    by_action = [key.id for key in BY_ID.values() if key.id.rsplit(".", 1)[-1] == binding_id]
    close = by_action or difflib.get_close_matches(binding_id, BY_ID, n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"unknown binding id {binding_id!r}{hint}"
