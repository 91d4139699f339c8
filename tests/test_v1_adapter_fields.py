"""v1 fields the spec lacks but a newer service may send become first-class, so no screen reads ``extra``."""

from __future__ import annotations

from tui.api import errors
from tui.api.together.errors import translate
from tui.api.together.models import DedicatedEndpoint
from tui.api.together.provider import endpoint_from_wire
from tui.core.forms import refused_field

BASE = {"id": "e1", "name": "acme/e1", "model": "m", "state": "STARTED", "hardware": "1x_h100"}


def test_inactive_timeout_and_speculative_decoding_are_read_when_sent() -> None:
    sent = endpoint_from_wire(DedicatedEndpoint.model_validate(
        {**BASE, "inactive_timeout": 45, "disable_speculative_decoding": True, "surprise": 1}))
    assert sent.inactive_timeout == 45 and sent.speculative_decoding is False
    assert sent.extra == {"surprise": 1}
    silent = endpoint_from_wire(DedicatedEndpoint.model_validate(BASE))
    assert silent.inactive_timeout is None and silent.speculative_decoding is None
    nonsense = endpoint_from_wire(DedicatedEndpoint.model_validate({**BASE, "inactive_timeout": -3}))
    assert nonsense.inactive_timeout is None


def test_a_refusal_names_the_form_field_in_domain_words() -> None:
    refused = translate(errors.BadRequestError("min must be >= 0", status=400, param="autoscaling.min_replicas"))
    assert refused.field == "min_replicas" and refused_field(refused) == "min_replicas"
    pair = translate(errors.BadRequestError("min > max", status=400, param="autoscaling"))
    assert refused_field(pair) == "max_replicas"
    assert refused_field(translate(errors.BadRequestError("what", status=400, param="mystery"))) is None
