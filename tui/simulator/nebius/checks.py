"""Request validation of the simulated Nebius control plane, with FastAPI-style 422 bodies.

The 422 shape ``{"detail": [{"type", "loc", "msg", "input", "ctx"}]}`` is the reference's (§B6); the
messages copy pydantic 2's wording. Choices where the service is undocumented (UNVERIFIED):

* unknown body fields are refused (``extra_forbidden``), so a client sending a misspelt field finds out;
* ``scaling`` must hold both bounds, on create and on PATCH (the docs say to send both; whether the
  service merges a partial one is unknown); ``min_replicas >= 1`` (a third party says so), ``max_replicas``
  at most 16 and not below the minimum;
* a PATCH naming ``region`` is refused (the docs: "region cannot be updated"), as are ``model_name`` and
  ``flavor_name`` (not in any list of updatable fields);
* a combination the templates do not offer is a 422 at ``loc: ["body"]`` naming it.
"""

from __future__ import annotations

from typing import Any

from tui.simulator.nebius.catalogue import GPU_TYPES, REGIONS, offers

MAX_REPLICAS = 16
CREATE_FIELDS = frozenset(
    {"name", "description", "model_name", "flavor_name", "gpu_type", "gpu_count", "region", "scaling", "enabled",
     "custom_weights_id"}
)
REQUIRED = ("name", "model_name", "flavor_name", "gpu_type", "gpu_count", "region", "scaling")
PATCH_FIELDS = frozenset({"name", "description", "enabled", "gpu_type", "gpu_count", "scaling", "custom_weights_id"})


class ValidationFailed(Exception):
    """A 422 with FastAPI's ``detail`` list."""

    def __init__(self, detail: list[dict[str, Any]]) -> None:
        super().__init__(detail)
        self.detail = detail


def _item(kind: str, loc: tuple[str | int, ...], msg: str, value: Any = None, **ctx: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"type": kind, "loc": ["body", *loc], "msg": msg, "input": value}
    if ctx:
        item["ctx"] = ctx
    return item


def _choices(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Checker:
    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body
        self.errors: list[dict[str, Any]] = []

    def string(self, name: str, *, low: int = 0, high: int | None = None, nullable: bool = False) -> None:
        if name not in self.body:
            return
        value = self.body[name]
        if value is None and nullable:
            return
        if not isinstance(value, str):
            self.errors.append(_item("string_type", (name,), "Input should be a valid string", value))
        elif len(value) < low:
            self.errors.append(
                _item("string_too_short", (name,), f"String should have at least {low} character", value,
                      min_length=low)
            )
        elif high is not None and len(value) > high:
            self.errors.append(
                _item("string_too_long", (name,), f"String should have at most {high} characters", value,
                      max_length=high)
            )

    def enum(self, name: str, allowed: tuple[str, ...]) -> None:
        if name in self.body and self.body[name] not in allowed:
            expected = _choices(allowed)
            message = f"Input should be {expected}"
            self.errors.append(_item("enum", (name,), message, self.body[name], expected=expected))

    def integer(self, loc: tuple[str, ...], value: Any, low: int, high: int | None = None) -> None:
        if not _is_int(value):
            self.errors.append(_item("int_type", loc, "Input should be a valid integer", value))
        elif value < low:
            self.errors.append(_item("greater_than_equal", loc, f"Input should be greater than or equal to {low}",
                                     value, ge=low))
        elif high is not None and value > high:
            self.errors.append(_item("less_than_equal", loc, f"Input should be less than or equal to {high}",
                                     value, le=high))

    def scaling(self) -> None:
        if "scaling" not in self.body:
            return
        scaling = self.body["scaling"]
        if not isinstance(scaling, dict):
            self.errors.append(_item("model_type", ("scaling",), "Input should be a valid dictionary", scaling))
            return
        before = len(self.errors)
        for bound in ("min_replicas", "max_replicas"):
            if bound not in scaling:
                self.errors.append(_item("missing", ("scaling", bound), "Field required", scaling))
            else:
                self.integer(("scaling", bound), scaling[bound], 1 if bound == "min_replicas" else 0, MAX_REPLICAS)
        for extra in sorted(set(scaling) - {"min_replicas", "max_replicas"}):
            self.errors.append(_item("extra_forbidden", ("scaling", extra), "Extra inputs are not permitted",
                                     scaling[extra]))
        if len(self.errors) == before and scaling["max_replicas"] < scaling["min_replicas"]:
            self.errors.append(_item("value_error", ("scaling",),
                                     "Value error, max_replicas must be greater than or equal to min_replicas",
                                     scaling))

    def common(self) -> None:
        self.string("name", low=1, high=100)
        self.string("description", high=500, nullable=True)
        self.string("custom_weights_id", nullable=True)
        self.enum("gpu_type", GPU_TYPES)
        if "gpu_count" in self.body:
            self.integer(("gpu_count",), self.body["gpu_count"], 0)
        if "enabled" in self.body and not isinstance(self.body["enabled"], bool):
            value = self.body["enabled"]
            self.errors.append(_item("bool_type", ("enabled",), "Input should be a valid boolean", value))
        self.scaling()

    def unknown(self, allowed: frozenset[str]) -> None:
        for name in sorted(set(self.body) - allowed):
            self.errors.append(_item("extra_forbidden", (name,), "Extra inputs are not permitted", self.body[name]))

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ValidationFailed([{
            "type": "model_attributes_type", "loc": ["body"],
            "msg": "Input should be a valid dictionary or object to extract fields from", "input": body,
        }])
    return body


def _combination(model: str, flavor: str, gpu_type: str, gpu_count: int, region: str) -> None:
    if not offers(model, flavor, gpu_type, gpu_count, region):
        raise ValidationFailed([_item(
            "value_error", (),
            f"Value error, no template offers {model} (flavor {flavor}) on {gpu_count} x {gpu_type} in {region}",
            {"model_name": model, "flavor_name": flavor, "gpu_type": gpu_type, "gpu_count": gpu_count,
             "region": region},
        )])


def check_create(body: Any) -> dict[str, Any]:
    fields = _object(body)
    checker = _Checker(fields)
    for name in REQUIRED:
        if name not in fields:
            checker.errors.append(_item("missing", (name,), "Field required", fields))
    checker.unknown(CREATE_FIELDS)
    checker.common()
    checker.string("model_name", low=1)
    checker.string("flavor_name", low=1)
    checker.enum("region", REGIONS)
    checker.raise_if_any()
    _combination(fields["model_name"], fields["flavor_name"], fields["gpu_type"], fields["gpu_count"], fields["region"])
    return fields


def check_update(body: Any, *, model: str, flavor: str, gpu_type: str, gpu_count: int, region: str) -> dict[str, Any]:
    fields = _object(body)
    checker = _Checker(fields)
    if "region" in fields:
        checker.errors.append(_item("value_error", ("region",), "Value error, region cannot be updated",
                                    fields["region"]))
    checker.unknown(PATCH_FIELDS | {"region"})
    checker.common()
    checker.raise_if_any()
    if "gpu_type" in fields or "gpu_count" in fields:
        _combination(model, flavor, fields.get("gpu_type", gpu_type), fields.get("gpu_count", gpu_count), region)
    return fields
