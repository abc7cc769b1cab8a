#!/usr/bin/python3
"""An independent load generator for the gRPC case (issue 15): N clients call Plan back to back.

Usage: /usr/bin/python3 bench/grpc_load.py HOST:PORT INSTANCE.json [CLIENTS] [CALLS] [WARMUP]
           [--token-prefix PREFIX] [--no-parse]

The same closed loop as bench/grpcLoad.ts, from a client that shares no code with the server:
Python's grpcio (gRPC C-core, Debian python3-grpcio) and protobuf stubs compiled at run time by
test/python/cosched_client_check.py's compile_stubs (needs Debian's protobuf-compiler and
protobuf-compiler-grpc too; see that file). CLIENTS asyncio tasks in one process, each with its own
channel and connection (a local subchannel pool) and, with --token-prefix, its own bearer token
(PREFIX + its index in four digits, as bench/loadTokens.ts makes them), first make WARMUP calls each
(default 1, not counted), then CALLS calls each (default 20), each sent when the client's previous
answer arrived. Each answer is parsed as a PlanResponse (--no-parse: kept as bytes). Latency is from
the call's start to its answer. Prints one JSON line like grpcLoad.ts's closed mode, with the
process's CPU seconds (user + system) during the measured calls.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "test" / "python"))

import grpc  # noqa: E402  (after the path: cosched_client_check explains a missing grpcio)
from google.protobuf import json_format  # noqa: E402

from cosched_client_check import Stubs, compile_stubs  # noqa: E402

PLAN = "/cosched.v1.CoSchedulerService/Plan"


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile, as grpcLoad.ts computes it."""
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(p * len(sorted_values)) - 1))]


async def run(args: argparse.Namespace, stubs: Stubs) -> dict:
    request = json_format.ParseDict(json.loads(Path(args.instance).read_text()), stubs.request.PlanRequest())
    payload = request.SerializeToString()
    parse = stubs.response.PlanResponse.FromString if args.parse else None
    channels = [grpc.aio.insecure_channel(args.address, options=[("grpc.use_local_subchannel_pool", 1)]) for _ in range(args.clients)]
    tokens = [f"{args.token_prefix}{i:04d}" if args.token_prefix is not None else None for i in range(args.clients)]
    calls = [channel.unary_unary(PLAN, request_serializer=None, response_deserializer=parse) for channel in channels]
    latencies: list[float] = []
    errors: dict[str, int] = {}

    async def call_once(c: int, record: bool) -> None:
        metadata = (("authorization", f"Bearer {tokens[c]}"),) if tokens[c] else None
        started = time.perf_counter()
        try:
            await calls[c](payload, metadata=metadata, timeout=120)
            if record:
                latencies.append((time.perf_counter() - started) * 1000)
        except grpc.aio.AioRpcError as error:
            if record:
                key = f"code {error.code().value[0]}"
                errors[key] = errors.get(key, 0) + 1

    async def client(c: int, count: int, record: bool) -> None:
        for _ in range(count):
            await call_once(c, record)

    try:
        await asyncio.gather(*(client(c, args.warmup, False) for c in range(args.clients)))
        cpu_before = os.times()
        started = time.perf_counter()
        await asyncio.gather(*(client(c, args.calls, True) for c in range(args.clients)))
        wall_ms = (time.perf_counter() - started) * 1000
        cpu_after = os.times()
    finally:
        await asyncio.gather(*(channel.close() for channel in channels))
    latencies.sort()
    return {
        "mode": "closed",
        "client": f"python grpcio {grpc.__version__}",
        "clients": args.clients,
        "callsPerClient": args.calls,
        "calls": args.clients * args.calls,
        "errors": errors,
        "p50Ms": percentile(latencies, 0.5),
        "p90Ms": percentile(latencies, 0.9),
        "p99Ms": percentile(latencies, 0.99),
        "maxMs": latencies[-1] if latencies else None,
        "meanMs": sum(latencies) / len(latencies) if latencies else None,
        "wallMs": wall_ms,
        "plansPerSecond": 1000 * len(latencies) / wall_ms,
        "clientCpuSeconds": (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("address")
    parser.add_argument("instance")
    parser.add_argument("clients", nargs="?", type=int, default=50)
    parser.add_argument("calls", nargs="?", type=int, default=20)
    parser.add_argument("warmup", nargs="?", type=int, default=1)
    parser.add_argument("--token-prefix")
    parser.add_argument("--no-parse", dest="parse", action="store_false")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cosched-load-") as workdir:
        stubs = Stubs(compile_stubs(REPO, Path(workdir)))
        print(json.dumps(asyncio.run(run(args, stubs))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
