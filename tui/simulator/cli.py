"""`together-tui simulate`: serve the simulator until Ctrl-C."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys

from tui.simulator.config import DEMO_API_KEY, SimulatorConfig
from tui.simulator.faults import Faults

DEFAULT_PORT = 8787
API_KEY_ENV = "TOGETHER_TUI_SIM_API_KEY"


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be > 0 ('inf' for instant transitions)")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


PROVIDERS = ("together", "nebius")


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Serve a local simulator of the Together API (or, with --provider nebius, of Nebius Token Factory)."""
    parser.add_argument(
        "--provider",
        choices=PROVIDERS,
        default="together",
        help="which control plane to simulate (default: together; nebius = Token Factory dedicated endpoints)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a non-loopback --host (the simulator has no real authentication)",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT}; 0 = any)")
    parser.add_argument(
        "--api-key",
        default=None,
        help=f"bearer key to accept (default: ${API_KEY_ENV}, else {DEMO_API_KEY}); never printed",
    )
    parser.add_argument(
        "--speed",
        type=_positive_float,
        default=1.0,
        help="divide provisioning times: 1 = realistic minutes, 20 = demo seconds, inf = instant",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for ids, availability and generated text")
    parser.add_argument(
        "--endpoints",
        type=_non_negative_int,
        default=None,
        metavar="N",
        help="seed N generated endpoints instead of the small hand-made set",
    )
    parser.add_argument(
        "--tokens-per-second",
        type=_non_negative_float,
        default=50.0,
        help="chat streaming rate (0 = as fast as possible, still one event per token)",
    )
    parser.add_argument(
        "--faults",
        default=None,
        metavar="SPEC",
        help="fault injection, e.g. 'latency=0.2,status=503,rate=0.5,route=/chat,rate_limit=0.1,"
        "retry_after=2,cut_after=20,error_after=10,stall_after=5,malformed=0.1,unknown_enums,extra_fields'",
    )
    parser.add_argument(
        "--legacy-v1",
        action="store_true",
        help="serve v1 as it was before its retirement (creates and restarts allowed, older prices)",
    )
    parser.add_argument(
        "--force-length",
        action="store_true",
        help="make every chat completion run to its max_tokens (benchmarks)",
    )


def _api_key(given: str | None) -> tuple[str, str]:
    """The key to accept, and how to describe it without showing it (only the published demo key is shown)."""
    if given:
        return given, "the one given with --api-key"
    from_env = os.environ.get(API_KEY_ENV, "").strip()
    if from_env:
        return from_env, f"the one in ${API_KEY_ENV}"
    return DEMO_API_KEY, DEMO_API_KEY


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from tui.simulator.server import Servable, base_url_for, bind_socket, uvicorn_config

    if not is_loopback(args.host) and not args.allow_remote:
        print(
            f"error: refusing to listen on non-loopback address {args.host!r}: the simulator accepts a "
            "published demo key. Pass --allow-remote to do it anyway.",
            file=sys.stderr,
        )
        return 2
    try:
        faults = Faults.parse(args.faults) if args.faults else Faults()
    except ValueError as exc:
        print(f"error: --faults: {exc}", file=sys.stderr)
        return 2
    provider = getattr(args, "provider", "together")
    if provider == "nebius" and args.legacy_v1:
        print("error: --legacy-v1 is an option of the Together simulator", file=sys.stderr)
        return 2
    api_key, key_source = _api_key(args.api_key)
    try:
        config = SimulatorConfig(
            api_key=api_key,
            speed=args.speed,
            seed=args.seed,
            endpoints=args.endpoints,
            tokens_per_second=args.tokens_per_second,
            faults=faults,
            force_length=args.force_length,
            legacy_v1=args.legacy_v1,
        )
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    sim: Servable
    if provider == "nebius":
        from tui.simulator.nebius.app import NebiusSimulator

        sim = NebiusSimulator(config)
    else:
        from tui.simulator.simulator import Simulator

        sim = Simulator(config)
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    port = sock.getsockname()[1]
    if provider == "nebius":
        root = base_url_for(args.host, port).removesuffix("/v1")
        print(
            f"Nebius Token Factory simulator at {root} (control plane /v0; chat for every region at {root}/v1)"
            f" - API key: {key_source} (Ctrl-C to stop)",
            flush=True,
        )
    else:
        print(
            f"Together API simulator at {base_url_for(args.host, port)} - API key: {key_source} (Ctrl-C to stop)",
            flush=True,
        )
    server = uvicorn.Server(uvicorn_config(sim))
    try:
        # uvicorn handles SIGINT/SIGTERM itself when run on the main thread and shuts down cleanly.
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0
