"""The endpoint forms: ``CreateEndpointScreen(context, *, model=, hardware_id=, clone_of=)`` and
``UpdateEndpointScreen(context, endpoint)``, each in its own module, over ``EndpointFormScreen``."""

from tui.app.screens.create_endpoint import CreateEndpointScreen
from tui.app.screens.endpoint_form_base import EndpointFormScreen
from tui.app.screens.update_endpoint import UpdateEndpointScreen
from tui.app.widgets.form_fields import FieldRow

__all__ = ["CreateEndpointScreen", "EndpointFormScreen", "FieldRow", "UpdateEndpointScreen"]
