#!/usr/bin/python3
"""An independent client of a running cosched gRPC server, written in Python.

Usage: /usr/bin/python3 test/python/cosched_client_check.py HOST:PORT [--token-file FILE]

With --token-file (or, without it, the COSCHED_TOKEN environment variable) every call carries
`authorization: Bearer TOKEN`, for a server started with --tokens-file.

It uses only the standard library and Debian's packages: python3-grpcio, python3-protobuf,
protobuf-compiler (protoc) and protobuf-compiler-grpc (grpc_python_plugin). Install them with

    apt-get update && apt-get install -y --no-install-recommends \\
        python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc

and run it with /usr/bin/python3 (another python3 on the PATH may not see Debian's packages).

At run time it compiles Python stubs with protoc into a temporary directory (nothing generated is
kept) from:
  - proto/cosched/v1/*.proto                       (our API),
  - proto/google/rpc/{status,error_details}.proto  (google.rpc.Status, BadRequest, ErrorInfo),
  - proto/google/longrunning/operations.proto      (the standing planner's plan runs),
  - node_modules/grpc-health-check/proto/health/v1/health.proto                 (grpc.health.v1),
  - node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto  (reflection).
Debian ships none of grpc_health, grpc_reflection or google.rpc as Python modules, and no
well-known-type .proto files: those (google/protobuf/timestamp.proto, any.proto, ...) are handed
to protoc as a descriptor set taken from the python3-protobuf runtime itself.

Then it checks the server: health, reflection, Plan, WatchPlan, ValidatePlanRequest, an invalid
request's google.rpc.BadRequest details, and DEADLINE_EXCEEDED on a too-short deadline. It prints
one line per check and `N passed, M failed`, and exits 0 only when every check passed (1 when a
check failed, 2 on a usage or setup error).
"""

from __future__ import annotations

import argparse
import collections
import importlib
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SERVICE = "cosched.v1.CoSchedulerService"
SETUP_HELP = (
    "install Debian's packages and run with /usr/bin/python3:\n"
    "  apt-get update && apt-get install -y --no-install-recommends "
    "python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc"
)

try:
    import grpc
    from google.protobuf import descriptor_pb2, json_format
except ImportError as missing:  # pragma: no cover - depends on the machine
    print(f"setup: cannot import {missing.name!r} in {sys.executable}; {SETUP_HELP}", file=sys.stderr)
    sys.exit(2)


class SetupError(Exception):
    """Something this client needs is missing (a package, a tool or a .proto file)."""


# ---------------------------------------------------------------------------------------------
# Stubs, compiled at run time
# ---------------------------------------------------------------------------------------------

def proto_sources(repo: Path) -> dict[str, Path]:
    """The .proto files to compile: {path inside the temporary include dir: source file}.

    Files whose own path starts with grpc/ are copied elsewhere: generated modules in a folder
    named grpc/ would clash with the grpc package. The file path only names the generated module;
    the wire format depends on the package, message and field names, which are kept.
    """
    # Every file of our API: the service imports the request, response and what-if messages.
    wanted = {f"cosched/v1/{source.name}": source for source in sorted((repo / "proto/cosched/v1").glob("*.proto"))}
    wanted |= {
        "google/rpc/status.proto": repo / "proto/google/rpc/status.proto",
        "google/rpc/error_details.proto": repo / "proto/google/rpc/error_details.proto",
        "google/longrunning/operations.proto": repo / "proto/google/longrunning/operations.proto",
        "health/v1/health.proto": repo / "node_modules/grpc-health-check/proto/health/v1/health.proto",
        "reflection_v1/reflection.proto": repo / "node_modules/@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto",
    }
    missing = [str(source) for source in wanted.values() if not source.is_file()]
    if missing:
        raise SetupError("missing .proto files (run `npm ci` in the repository first?): " + ", ".join(missing))
    return wanted


def well_known_types_descriptor_set() -> bytes:
    """google/protobuf/*.proto as a FileDescriptorSet, from the protobuf runtime's own descriptors."""
    names = ["any", "duration", "timestamp", "empty", "struct", "wrappers", "field_mask"]
    files = descriptor_pb2.FileDescriptorSet()
    for name in names:
        module = importlib.import_module(f"google.protobuf.{name}_pb2")
        module.DESCRIPTOR.CopyToProto(files.file.add())
    return files.SerializeToString()


def compile_stubs(repo: Path, workdir: Path) -> Path:
    """Runs protoc + grpc_python_plugin into workdir/out and returns that directory."""
    protoc = shutil.which("protoc") or "/usr/bin/protoc"
    plugin = "/usr/bin/grpc_python_plugin"
    for tool, package in ((protoc, "protobuf-compiler"), (plugin, "protobuf-compiler-grpc")):
        if not Path(tool).is_file():
            raise SetupError(f"{tool} not found (Debian package {package}); {SETUP_HELP}")
    include, out = workdir / "include", workdir / "out"
    out.mkdir(parents=True)
    sources = proto_sources(repo)
    for target, source in sources.items():
        (include / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, include / target)
    wkt = workdir / "well_known_types.binpb"
    wkt.write_bytes(well_known_types_descriptor_set())
    command = [
        protoc, f"-I{include}", f"--descriptor_set_in={wkt}",
        f"--plugin=protoc-gen-grpc_python={plugin}",
        f"--python_out={out}", f"--grpc_python_out={out}", *sources.keys(),
    ]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SetupError(f"protoc failed ({done.returncode}): {done.stderr.strip()}")
    return out


class Stubs:
    """The generated modules, imported from the temporary output directory."""

    def __init__(self, out: Path):
        sys.path.insert(0, str(out))
        load = importlib.import_module
        self.request = load("cosched.v1.plan_request_pb2")
        self.response = load("cosched.v1.plan_response_pb2")
        self.service = load("cosched.v1.co_scheduler_service_pb2")
        self.service_grpc = load("cosched.v1.co_scheduler_service_pb2_grpc")
        self.status = load("google.rpc.status_pb2")
        self.error_details = load("google.rpc.error_details_pb2")
        self.health = load("health.v1.health_pb2")
        self.health_grpc = load("health.v1.health_pb2_grpc")
        self.reflection = load("reflection_v1.reflection_pb2")
        self.reflection_grpc = load("reflection_v1.reflection_pb2_grpc")


# ---------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------

def small_request_json() -> dict:
    """One site, four hours, one interruptible job: solved by hand below.

    The job needs 16 GPU-hours on up to 8 GPUs of 0.7 kW, so it runs two hours at 8 GPUs: a
    facility load of 8 x 0.7 kW x 1.2 = 6.72 kW. Hours 1 and 2 have 2 MW of green supply, so the
    plan emits nothing. The baseline runs at release: hour 0 on the grid (6.72 kWh x 500 g/kWh =
    3.36 kg) and hour 1 on green supply. Saved: 3.36 kg, 100 %.
    """
    return {
        "horizon": {"start": "2026-07-01T00:00:00Z", "hours": 4},
        "sites": [{
            "id": "a", "gpuCapacity": 16, "pue": 1.2,
            "greenSupplyMw": [0, 2, 2, 0], "carbonIntensityGPerKwh": [500, 100, 100, 500],
        }],
        "jobs": [{
            "id": "j1", "gpuHours": 16, "maxGpus": 8, "gpuPowerKw": 0.7,
            "release": "2026-07-01T00:00:00Z", "deadline": "2026-07-01T04:00:00Z",
            "homeSite": "a", "interruptible": True,
        }],
    }


def invalid_request_json() -> dict:
    """The small request with four bad fields in it; their paths are INVALID_FIELDS."""
    bad = small_request_json()
    bad["sites"][0]["greenSupplyMw"] = [0, 2, 2]
    bad["jobs"].append({
        "id": "j2", "gpuHours": -1, "maxGpus": 8, "gpuPowerKw": 0.7,
        "release": "2026-07-01T03:00:00Z", "deadline": "2026-07-01T01:00:00Z",
        "homeSite": "nowhere", "interruptible": True,
    })
    return bad


INVALID_FIELDS = {"sites[0].greenSupplyMw", "jobs[1].gpuHours", "jobs[1].deadline", "jobs[1].homeSite"}


def many_bad_fields_request_json(sites: int = 60) -> dict:
    """The small request plus `sites` sites with nothing but an id: three bad fields each (pue and
    the two hourly arrays), as a scenario file written in a hurry might have."""
    bad = small_request_json()
    bad["sites"] += [{"id": f"empty{i}"} for i in range(sites)]
    return bad


def too_many_cells_request(plan_request_class, max_cells: int):
    """A valid request just over `max_cells` (hours x sites x jobs): a year of hours, 50 jobs and
    enough sites. Built as a message, not JSON: it is several megabytes."""
    hours, jobs = 8784, 50
    sites = max_cells // (hours * jobs) + 1
    request = plan_request_class()
    request.horizon.hours = hours
    request.horizon.start.FromJsonString("2028-01-01T00:00:00Z")
    for s in range(sites):
        site = request.sites.add(id=f"s{s}", gpu_capacity=8, pue=1.2)
        site.green_supply_mw.extend([0.0] * hours)
        site.carbon_intensity_g_per_kwh.extend([500.0] * hours)
    for j in range(jobs):
        job = request.jobs.add(id=f"j{j}", gpu_hours=1, max_gpus=1, gpu_power_kw=0.5, home_site="s0", interruptible=True)
        job.release.FromJsonString("2028-01-01T00:00:00Z")
        job.deadline.FromJsonString("2028-01-02T00:00:00Z")
    return request, hours * sites * jobs


def slow_request_json() -> dict:
    """A MILP that HiGHS cannot finish quickly: 30 non-interruptible jobs competing for the GPUs of
    three sites over 72 hours with little green supply (it runs into a 30 s time limit on a 2-core
    machine), and a requested gap of 1e-9."""
    hours, site_count, job_count = 72, 3, 30

    def iso(hour: int) -> str:
        return f"2026-07-{1 + hour // 24:02d}T{hour % 24:02d}:00:00Z"

    sites = [{
        "id": f"s{s}", "gpuCapacity": 48, "pue": 1.2,
        "greenSupplyMw": [round(max(0.0, 0.03 * math.sin((h + 5 * s) / 3.0)), 4) for h in range(hours)],
        "carbonIntensityGPerKwh": [round(400 + 120 * math.cos((h + 4 * s) / 4.0) + (h * 13 + s * 7) % 11, 2) for h in range(hours)],
    } for s in range(site_count)]
    jobs = []
    for j in range(job_count):
        max_gpus, release = 8 + 8 * (j % 4), (j * 5) % (hours // 2)
        deadline = min(hours, release + 18 + (j % 3) * 6)
        jobs.append({
            "id": f"j{j}", "gpuHours": max_gpus * (3 + j % 5), "maxGpus": max_gpus, "gpuPowerKw": 0.7,
            "release": iso(release), "deadline": iso(deadline), "homeSite": f"s{j % site_count}",
            "interruptible": False,
        })
    return {
        "horizon": {"start": "2026-07-01T00:00:00Z", "hours": hours},
        "sites": sites, "jobs": jobs, "options": {"timeLimitSeconds": 30, "mipGap": 1e-9},
    }


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------

def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def close(a: float, b: float, tolerance: float = 1e-6) -> bool:
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def message_shape(descriptor_proto) -> list:
    """A FileDescriptorProto reduced to what the wire format depends on."""
    def message(m):
        fields = sorted((f.name, f.number, f.type, f.label, f.type_name) for f in m.field)
        return (m.name, fields, [message(n) for n in m.nested_type], [(e.name, [(v.name, v.number) for v in e.value]) for e in m.enum_type])

    return [
        descriptor_proto.package,
        [message(m) for m in descriptor_proto.message_type],
        [(e.name, [(v.name, v.number) for v in e.value]) for e in descriptor_proto.enum_type],
        [(s.name, [(m.name, m.input_type, m.output_type, m.client_streaming, m.server_streaming) for m in s.method]) for s in descriptor_proto.service],
    ]


class _CallDetails(collections.namedtuple("_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")),
                   grpc.ClientCallDetails):
    pass


class BearerToken(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                  grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """Sends `authorization: Bearer TOKEN` with every call (grpcio refuses call credentials on a
    plaintext channel, so the header is added by this interceptor)."""

    def __init__(self, token: str):
        self._header = ("authorization", f"Bearer {token}")

    def _details(self, details):
        metadata = list(details.metadata or ()) + [self._header]
        return _CallDetails(details.method, details.timeout, metadata, details.credentials,
                            getattr(details, "wait_for_ready", None), getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation, details, requests):
        return continuation(self._details(details), requests)

    def intercept_stream_stream(self, continuation, details, requests):
        return continuation(self._details(details), requests)


def read_token(token_file: Path | None) -> str | None:
    """The token: the first non-empty line of token_file, else COSCHED_TOKEN, else None."""
    if token_file is not None:
        lines = [line.strip() for line in token_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        if not lines:
            raise SetupError(f"--token-file {token_file}: no token in it")
        return lines[0]
    return os.environ.get("COSCHED_TOKEN") or None


class Checks:
    def __init__(self, stubs: Stubs, channel: grpc.Channel):
        self.s = stubs
        self.channel = channel
        self.api = stubs.service_grpc.CoSchedulerServiceStub(channel)
        self.health = stubs.health_grpc.HealthStub(channel)
        self.plan_summary = None

    def request(self, as_json: dict):
        return json_format.ParseDict(as_json, self.s.request.PlanRequest())

    # -- health -----------------------------------------------------------------------------
    def check_health(self) -> str:
        serving = self.s.health.HealthCheckResponse.SERVING
        statuses = []
        for service in ("", SERVICE):
            reply = self.health.Check(self.s.health.HealthCheckRequest(service=service), timeout=5)
            name = self.s.health.HealthCheckResponse.ServingStatus.Name(reply.status)
            expect(reply.status == serving, f"health of {service or 'the server'!r} is {name}, expected SERVING")
            statuses.append(f"{service or '(server)'} {name}")
        try:
            self.health.Check(self.s.health.HealthCheckRequest(service="no.such.Service"), timeout=5)
            raise AssertionError("an unknown service's health did not fail")
        except grpc.RpcError as error:
            expect(error.code() == grpc.StatusCode.NOT_FOUND, f"unknown service: {error.code().name}, expected NOT_FOUND")
        return ", ".join(statuses) + "; unknown service NOT_FOUND"

    # -- reflection -------------------------------------------------------------------------
    def reflect(self, **request_fields):
        reflection = self.s.reflection
        stub = self.s.reflection_grpc.ServerReflectionStub(self.channel)
        replies = list(stub.ServerReflectionInfo(iter([reflection.ServerReflectionRequest(**request_fields)]), timeout=5))
        expect(len(replies) == 1, f"reflection answered {len(replies)} messages, expected 1")
        reply = replies[0]
        expect(reply.WhichOneof("message_response") != "error_response",
               f"reflection error: {reply.error_response.error_code} {reply.error_response.error_message}")
        return reply

    def check_reflection(self) -> str:
        listed = sorted(s.name for s in self.reflect(list_services="").list_services_response.service)
        for needed in (SERVICE, "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection"):
            expect(needed in listed, f"{needed} not listed; listed: {listed}")

        # The served schema is the one compiled here from proto/ (same messages, fields, numbers).
        reply = self.reflect(file_containing_symbol=SERVICE)
        served = {}
        for raw in reply.file_descriptor_response.file_descriptor_proto:
            file = descriptor_pb2.FileDescriptorProto.FromString(raw)
            served[file.name] = file
        expect("cosched/v1/co_scheduler_service.proto" in served, f"served files: {sorted(served)}")
        service = next(s for s in served["cosched/v1/co_scheduler_service.proto"].service if s.name == "CoSchedulerService")
        methods = {m.name: m for m in service.method}
        expect(sorted(methods) == ["CompareScenarios", "EvaluatePlan", "Plan", "SweepFrontier", "ValidatePlanRequest", "WatchPlan"], f"methods: {sorted(methods)}")
        expect(methods["WatchPlan"].server_streaming and not methods["Plan"].server_streaming, "streaming flags")
        ours = {"cosched/v1/co_scheduler_service.proto": self.s.service, "cosched/v1/plan_request.proto": self.s.request,
                "cosched/v1/plan_response.proto": self.s.response}
        for name, module in ours.items():
            expect(name in served, f"{name} not served with {SERVICE} (served: {sorted(served)})")
            compiled = descriptor_pb2.FileDescriptorProto()
            module.DESCRIPTOR.CopyToProto(compiled)
            expect(message_shape(served[name]) == message_shape(compiled), f"{name}: the served descriptor differs from proto/")
        # The error detail types are served too, so generic tools (grpcurl) can decode them.
        for detail in ("google.rpc.Status", "google.rpc.BadRequest", "google.rpc.ErrorInfo", "google.rpc.QuotaFailure"):
            files = self.reflect(file_containing_symbol=detail).file_descriptor_response.file_descriptor_proto
            expect(len(files) > 0, f"reflection does not describe {detail}")
        return f"{len(listed)} services ({', '.join(listed)}); {SERVICE} descriptors match proto/; google.rpc details described"

    # -- Plan -------------------------------------------------------------------------------
    def check_plan(self) -> str:
        response = self.api.Plan(self.request(small_request_json()), timeout=30)
        termination = self.s.response.Termination.Name(response.termination)
        expect(termination == "TERMINATION_OPTIMAL", f"termination {termination}")
        expect(response.check.passed and response.check.checks > 0, f"checker: {response.check}")
        summary = response.summary
        expect(close(summary.emissions_kg, 0.0), f"emissions {summary.emissions_kg} kg, expected 0")
        expect(close(summary.baseline_emissions_kg, 3.36), f"baseline emissions {summary.baseline_emissions_kg} kg, expected 3.36")
        expect(close(summary.carbon_saved_kg, 3.36), f"carbon saved {summary.carbon_saved_kg} kg, expected 3.36")
        expect(close(summary.done_gpu_hours, 16) and summary.same_work, f"done {summary.done_gpu_hours} GPU-h, same work {summary.same_work}")
        allocations = [(a.site_id, json_format.MessageToJson(a.start).strip('"'), a.hours, a.gpus) for a in response.jobs[0].allocations]
        expect(allocations == [("a", "2026-07-01T01:00:00Z", 2, 8.0)], f"allocations {allocations}")
        self.plan_summary = summary
        return f"{termination}, emissions {summary.emissions_kg:g} kg, baseline {summary.baseline_emissions_kg:g} kg, saved {summary.carbon_saved_percent:g}%"

    # -- WatchPlan --------------------------------------------------------------------------
    def check_watch_plan(self) -> str:
        expect(self.plan_summary is not None, "needs the Plan check's summary")
        watch = self.s.service.WatchPlanRequest(request=self.request(small_request_json()))
        events = list(self.api.WatchPlan(watch, timeout=30))
        kinds = [event.WhichOneof("event") for event in events]
        expect(kinds and kinds[-1] == "plan" and kinds.count("plan") == 1, f"events {kinds}: expected progress events, then one plan")
        progress = [event.progress for event in events[:-1]]
        expect(len(progress) >= 1, "no progress event before the plan")
        phases = [self.s.service.PlanPhase.Name(p.phase) for p in progress]
        expect(phases[0] == "PLAN_PHASE_VALIDATED", f"first phase {phases[0]}")
        for needed in ("PLAN_PHASE_MODEL_BUILT", "PLAN_PHASE_CHECKED"):
            expect(needed in phases, f"no {needed} in {phases}")
        expect(phases.index("PLAN_PHASE_MODEL_BUILT") < phases.index("PLAN_PHASE_CHECKED"), f"phase order {phases}")
        built = progress[phases.index("PLAN_PHASE_MODEL_BUILT")]
        expect(built.variables > 0 and built.constraints > 0, f"model size {built.variables} variables, {built.constraints} constraints")
        elapsed = [p.elapsed_ms for p in progress]
        expect(elapsed == sorted(elapsed), f"elapsed_ms not increasing: {elapsed}")
        final = events[-1].plan
        expect(final.summary == self.plan_summary, "the streamed plan's summary differs from Plan's:\n"
               f"{json_format.MessageToJson(final.summary)}\nvs\n{json_format.MessageToJson(self.plan_summary)}")
        short = [phase.removeprefix("PLAN_PHASE_").lower() for phase in phases]
        return f"{len(progress)} progress events ({', '.join(short)}), then the plan; summary equals Plan's"

    # -- ValidatePlanRequest ----------------------------------------------------------------
    def check_validate(self) -> str:
        validate = self.s.service.ValidatePlanRequestRequest
        good = self.api.ValidatePlanRequest(validate(request=self.request(small_request_json())), timeout=10)
        expect(good.valid and not good.violations, f"valid request: valid={good.valid}, violations {list(good.violations)}")
        expect(good.cells == 4, f"cells {good.cells}, expected 4 (4 hours x 1 site x 1 job)")
        bad = self.api.ValidatePlanRequest(validate(request=self.request(invalid_request_json())), timeout=10)
        fields = {v.field for v in bad.violations}
        expect(not bad.valid and fields == INVALID_FIELDS, f"invalid request: valid={bad.valid}, fields {sorted(fields)}")
        return f"valid request: 4 cells; invalid request: {len(bad.violations)} violations"

    # -- errors -----------------------------------------------------------------------------
    def status_details(self, error: grpc.RpcError):
        """The google.rpc.Status in the error's grpc-status-details-bin trailer, and its details by type."""
        trailers = dict(error.trailing_metadata() or ())
        raw = trailers.get("grpc-status-details-bin")
        expect(raw is not None, f"no grpc-status-details-bin trailer; trailers: {sorted(trailers)}")
        status = self.s.status.Status.FromString(raw)
        expect(status.code == error.code().value[0], f"google.rpc.Status code {status.code}, call status {error.code().name}")
        expect(status.message == error.details(), f"Status message {status.message!r} vs grpc-message {error.details()!r}")
        details = self.s.error_details
        found = {}
        for detail in status.details:
            for kind in (details.BadRequest, details.ErrorInfo, details.QuotaFailure):
                if detail.Is(kind.DESCRIPTOR):
                    found[kind.DESCRIPTOR.name] = kind()
                    detail.Unpack(found[kind.DESCRIPTOR.name])
        return status, found

    def check_many_bad_fields(self) -> str:
        """Many bad fields must still arrive: grpcio rejects responses whose trailers exceed its
        max_metadata_size (8 KiB by default) with RESOURCE_EXHAUSTED "received initial metadata
        size exceeds limit", and the caller would see none of the details."""
        empty_sites = 60
        try:
            self.api.Plan(self.request(many_bad_fields_request_json(empty_sites)), timeout=10)
            raise AssertionError("an invalid request was planned")
        except grpc.RpcError as rpc_error:
            error = rpc_error
        expect(error.code() == grpc.StatusCode.INVALID_ARGUMENT,
               f"{error.code().name}: {error.details()[:200]!r} (with grpcio's default max_metadata_size)")
        _, found = self.status_details(error)
        expect("BadRequest" in found and found["BadRequest"].field_violations, f"no field violations; details {sorted(found)}")
        shown = len(found["BadRequest"].field_violations)
        return f"INVALID_ARGUMENT for {3 * empty_sites} bad fields with default client settings; {shown} in BadRequest"

    def check_resource_exhausted(self, max_cells: int) -> str:
        request, cells = too_many_cells_request(self.s.request.PlanRequest, max_cells)
        try:
            self.api.Plan(request, timeout=60)
            raise AssertionError(f"a request of {cells:,} cells was planned (limit {max_cells:,})")
        except grpc.RpcError as rpc_error:
            error = rpc_error
        expect(error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, f"{error.code().name}: {error.details()[:200]!r}")
        _, found = self.status_details(error)
        expect("QuotaFailure" in found, f"no QuotaFailure; details {sorted(found)}")
        subjects = [v.subject for v in found["QuotaFailure"].violations]
        expect(subjects == ["max_cells"], f"QuotaFailure subjects {subjects}, expected ['max_cells']")
        expect("max_cells" in error.details(), f"the message does not name the limit: {error.details()!r}")
        return f"RESOURCE_EXHAUSTED for {cells:,} cells ({request.ByteSize() / 1e6:.1f} MB); QuotaFailure names max_cells"

    def check_invalid_argument(self) -> str:
        try:
            self.api.Plan(self.request(invalid_request_json()), timeout=10)
            raise AssertionError("an invalid request was planned")
        except grpc.RpcError as rpc_error:
            error = rpc_error
        expect(error.code() == grpc.StatusCode.INVALID_ARGUMENT, f"{error.code().name}: {error.details()}")
        _, found = self.status_details(error)
        details = self.s.error_details
        bad_request, error_info = found.get("BadRequest", details.BadRequest()), found.get("ErrorInfo", details.ErrorInfo())
        fields = [v.field for v in bad_request.field_violations]
        expect(set(fields) == INVALID_FIELDS and len(fields) == len(INVALID_FIELDS),
               f"BadRequest fields {fields}, expected {sorted(INVALID_FIELDS)}")
        expect(all(v.description for v in bad_request.field_violations), "a field violation without a description")
        expect(error_info.reason and error_info.domain, f"ErrorInfo reason {error_info.reason!r}, domain {error_info.domain!r}")
        return f"INVALID_ARGUMENT; BadRequest {', '.join(fields)}; ErrorInfo {error_info.reason} @ {error_info.domain}"

    def check_deadline(self) -> str:
        deadline = 0.5
        started = time.monotonic()
        try:
            response = self.api.Plan(self.request(slow_request_json()), timeout=deadline)
            raise AssertionError(f"the slow request was answered within {deadline} s: "
                                 f"{self.s.response.Termination.Name(response.termination)}")
        except grpc.RpcError as error:
            waited = time.monotonic() - started
            expect(error.code() == grpc.StatusCode.DEADLINE_EXCEEDED, f"{error.code().name}: {error.details()}")
        expect(waited < deadline + 2, f"DEADLINE_EXCEEDED came after {waited:.2f} s")
        # The server is still there and answers at once.
        started = time.monotonic()
        self.health.Check(self.s.health.HealthCheckRequest(service=SERVICE), timeout=5)
        health_ms = (time.monotonic() - started) * 1000
        return f"DEADLINE_EXCEEDED after {waited * 1000:.0f} ms ({deadline * 1000:.0f} ms deadline); health answered in {health_ms:.0f} ms"

    def check_after_deadline(self) -> str:
        response = self.api.Plan(self.request(small_request_json()), timeout=30)
        expect(response.summary == self.plan_summary, "the same small Plan gave another summary after the cancelled one")
        return "the small Plan still gets the same answer"


def main() -> int:
    parser = argparse.ArgumentParser(description="Check a running cosched gRPC server from Python.")
    parser.add_argument("address", help="HOST:PORT of the server, e.g. 127.0.0.1:50051")
    parser.add_argument("--repo", type=Path, default=REPO, help="the cosched repository (for the .proto files)")
    parser.add_argument("--max-cells", type=int, default=20_000_000,
                        help="the server's hours x sites x jobs limit (default: the server's default, 20,000,000)")
    parser.add_argument("--token-file", type=Path, default=None,
                        help="send the token in FILE as `authorization: Bearer TOKEN` (default: COSCHED_TOKEN, if set)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cosched-python-client-") as workdir:
        try:
            stubs = Stubs(compile_stubs(args.repo, Path(workdir)))
            token = read_token(args.token_file)
        except (SetupError, OSError) as error:
            print(f"setup: {error}", file=sys.stderr)
            return 2
        with_token = "; with a bearer token" if token else ""
        print(f"stubs compiled by protoc into {workdir}; grpcio {grpc.__version__}; server {args.address}{with_token}")

        raw_channel = grpc.insecure_channel(args.address)
        channel = grpc.intercept_channel(raw_channel, BearerToken(token)) if token else raw_channel
        try:
            grpc.channel_ready_future(raw_channel).result(timeout=10)
        except grpc.FutureTimeoutError:
            print(f"FAIL connect: no server at {args.address} within 10 s")
            print("0 passed, 1 failed")
            return 1

        checks = Checks(stubs, channel)
        plan = [
            ("health", checks.check_health),
            ("reflection", checks.check_reflection),
            ("Plan", checks.check_plan),
            ("WatchPlan", checks.check_watch_plan),
            ("ValidatePlanRequest", checks.check_validate),
            ("INVALID_ARGUMENT details", checks.check_invalid_argument),
            ("INVALID_ARGUMENT with many bad fields", checks.check_many_bad_fields),
            ("RESOURCE_EXHAUSTED", lambda: checks.check_resource_exhausted(args.max_cells)),
            ("DEADLINE_EXCEEDED", checks.check_deadline),
            ("Plan after a deadline", checks.check_after_deadline),
        ]
        passed = failed = 0
        for name, check in plan:
            try:
                detail = check()
                passed += 1
                print(f"PASS {name}: {detail}", flush=True)
            except AssertionError as error:
                failed += 1
                print(f"FAIL {name}: {error}", flush=True)
            except grpc.RpcError as error:
                failed += 1
                print(f"FAIL {name}: {error.code().name}: {error.details()}", flush=True)
            except Exception:  # a bug in this client or an unexpected answer: show it all
                failed += 1
                print(f"FAIL {name}: {traceback.format_exc().strip()}", flush=True)
        channel.close()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
