"""Together's words in errors, turned into the app's: which domain field a refusal is about, and which
codes mean "nothing is running to answer".

The shared HTTP layer maps statuses to the error classes for every provider; what a Together ``code`` or
``param`` means is Together's business, so it is decided here, where the Together client raises.
"""

from __future__ import annotations

from tui.api import errors

__all__ = ["NOT_RUNNING_CODES", "PARAM_FIELDS", "domain_field", "translate"]

#: Codes meaning "nothing is running to answer": the caller can offer to start the endpoint.
#: ``model_not_available`` is what v1 chat says for a stopped dedicated endpoint (and for a model the
#: account cannot use serverless); ``dedicated_endpoint_not_running`` is today's word for a stopped one.
#: v2's inference host says ``endpoint_not_ready`` (no deployment with ready replicas) and, mid-rollout,
#: ``deployment_stopped`` (reference together-v2-api.md, bodies UNVERIFIED). ``endpoint_not_configured``
#: is not here on purpose: nothing is routed to, and starting would not help.
NOT_RUNNING_CODES = frozenset(
    {"model_not_available", "dedicated_endpoint_not_running", "endpoint_not_ready", "deployment_stopped"}
)

#: Together's ``param`` (v1 request names, dotted for nested fields) -> the domain field the forms know
#: (``EndpointSpec`` / ``EndpointChanges`` names), so no screen ever reads a wire name.
PARAM_FIELDS: dict[str, str] = {
    "autoscaling.min_replicas": "min_replicas",
    "autoscaling.max_replicas": "max_replicas",
    # A refusal of the bounds as a pair ("min cannot exceed max") is shown at the maximum.
    "autoscaling": "max_replicas",
    "min_replicas": "min_replicas",
    "max_replicas": "max_replicas",
    "display_name": "display_name",
    "hardware": "hardware",
    "model": "model",
    "inactive_timeout": "inactive_timeout",
    "availability_zone": "availability_zone",
    "disable_speculative_decoding": "speculative_decoding",
}


def domain_field(param: str | None) -> str | None:
    """The domain name of a wire ``param``; None for one this version does not know (the raw stays on ``param``)."""
    if not param:
        return None
    name = param.strip().lower().removeprefix("body.")
    return PARAM_FIELDS.get(name)


def translate(error: errors.APIError) -> errors.APIError:
    """``error`` with its ``field`` in domain words, as EndpointNotRunningError when its code says so."""
    codes = {error.code, error.error_type}
    if type(error) is errors.BadRequestError and codes & NOT_RUNNING_CODES:
        error = errors.EndpointNotRunningError(
            error.message,
            status=error.status,
            code=error.code,
            error_type=error.error_type,
            param=error.param,
            request_id=error.request_id,
        )
    error.field = domain_field(error.param)
    return error
