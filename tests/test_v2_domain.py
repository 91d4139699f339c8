"""The domain's v2 additions: new phases poll and bill as they should; v1 endpoints stay v1 by default."""

from __future__ import annotations

from tui.api.domain import Deployment, Endpoint, Phase


def test_scaling_and_updating_poll_fast_and_bill_and_degraded_bills_without_polling() -> None:
    assert Phase.SCALING.transitional and Phase.UPDATING.transitional and not Phase.DEGRADED.transitional
    assert Phase.SCALING.billing and Phase.UPDATING.billing and Phase.DEGRADED.billing
    assert not Phase.STOPPED.billing and not Phase.FAILED.billing


def test_an_endpoint_is_v1_with_no_deployments_unless_told_and_chats_by_its_name() -> None:
    legacy = Endpoint(id="e1", name="me/model-1", model="m", state="STARTED", phase=Phase.READY)
    assert (legacy.api, legacy.deployments, legacy.version, legacy.inference_model) == ("v1", (), None, "me/model-1")
    deployment = Deployment(
        id="dep_1",
        name="p/ep/d",
        model="m",
        hardware="1xnvidia-h100-80gb",
        state="DEPLOYMENT_STATE_READY",
        phase=Phase.READY,
        estimated_share=1.0,
    )
    v2 = Endpoint(
        id="ep_1",
        name="p/ep",
        model="m",
        state="DEPLOYMENT_STATE_READY",
        phase=Phase.READY,
        api="v2",
        deployments=(deployment,),
        version="etag-1",
        inference_target="p/ep",
    )
    assert v2.deployments[0].estimated_share == 1.0 and v2.inference_model == "p/ep"
