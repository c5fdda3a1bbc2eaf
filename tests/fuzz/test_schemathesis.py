"""Schemathesis over every service's OpenAPI document: no input gets a server error.

Each service app of ``api/app.py`` that serves an OpenAPI document is fuzzed in process:
every operation gets ``EXAMPLES`` cases generated from its schema (positive mode: path
and query strings of any characters, bodies of any shape where the schema says ``object``)
plus, for operations with a typed body, ``EXAMPLES // 2`` negative cases (bodies that break
their schema). Each case goes out with the admin's or the demo user's token. A case fails
when the answer is a 5xx, or an error that is not JSON in the service's own envelope.

Generation is derandomized, so a run is repeatable; set ``POCKETSTACK_FUZZ_SEED`` to
explore other cases and ``POCKETSTACK_FUZZ_EXAMPLES`` for more of them.
"""

from __future__ import annotations

import importlib
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.python import asgi

from pocketstack.api.app import SERVICES
from pocketstack.errors import CloudError

EXAMPLES = int(os.environ.get("POCKETSTACK_FUZZ_EXAMPLES", "20"))
SEED = os.environ.get("POCKETSTACK_FUZZ_SEED")


def documented_services() -> list[str]:
    return [name for name, factory in SERVICES.items()
            if getattr(factory(), "openapi_url", None)]


def _error_kinds(root: type = CloudError):
    yield root
    for kind in root.__subclasses__():
        yield from _error_kinds(kind)


def _shape(body) -> object:
    if isinstance(body, dict):
        return frozenset((key, _shape(value)) for key, value in body.items()
                         if isinstance(value, dict)) | frozenset(body)
    return type(body).__name__


def envelope_shapes(service: str) -> set:
    """The key structure of every error body ``service`` can render (its package's
    ``render_error``, beside its ``create_app``)."""
    render = importlib.import_module(SERVICES[service].__module__).render_error
    shapes = set()
    for kind in set(_error_kinds()):
        try:
            shapes.add(_shape(render(kind("x"))))
        except TypeError:
            continue  # an error type whose constructor wants more than a message
    return shapes


def problem(response, shapes: set) -> str | None:
    if response.status_code >= 500:
        return "server error"
    if response.status_code < 400 or response.request.method == "HEAD":
        return None
    try:
        body = response.json()
    except ValueError:
        return "error body is not JSON"
    return None if _shape(body) in shapes else "error body is not in the service's envelope"


def fuzz_owned_ids(admin, demo) -> dict[str, str]:
    """IDs of resources made for the fuzzer to find (and delete, disable...): a server, an
    image, a network, a security group, a keypair, a flavor, a project and a user. Never
    the admin's or demo's own identity, so the tokens live through the run."""
    image = demo.post("/image/v2/images", json={"name": "fuzz"}).json()
    base = next(i for i in demo.get("/image/v2/images").json()["images"]
                if i["status"] == "active")
    network = demo.post("/network/v2.0/networks", json={"network": {"name": "fuzz"}}).json()
    group = demo.post("/network/v2.0/security-groups", json={
        "security_group": {"name": "fuzz"}}).json()["security_group"]
    demo.post("/compute/v2.1/os-keypairs", json={"keypair": {"name": "fuzz"}})
    flavor = admin.post("/compute/v2.1/flavors", json={"flavor": {
        "name": "fuzz", "ram": 64, "vcpus": 1, "disk": 1}}).json()["flavor"]
    server = demo.post("/compute/v2.1/servers", json={"server": {
        "name": "fuzz", "flavorRef": flavor["id"], "imageRef": base["id"],
        "networks": [{"uuid": network["network"]["id"]}]}}).json()["server"]
    project = admin.post("/identity/v3/projects", json={"project": {"name": "fuzz"}}).json()
    user = admin.post("/identity/v3/users", json={"user": {"name": "fuzz"}}).json()
    return {"server": server["id"], "image": image["id"], "network": network["network"]["id"],
            "security_group": group["id"], "name": "fuzz", "flavor": flavor["id"],
            "project": project["project"]["id"], "user": user["user"]["id"]}


def known_id(parameter: str, known: dict[str, str], pick: int) -> str:
    """A known ID for a path parameter: of its kind by name (``server_id``), else any."""
    fitting = [value for kind, value in known.items() if parameter.startswith(kind)]
    choices = fitting or list(known.values())
    return choices[pick % len(choices)]


# No header (the oldest behaviour), the base version, and (twice as often: it has the most
# routes) the newest compute microversion; other services ignore the headers.
LATEST = {"OpenStack-API-Version": "compute latest", "X-OpenStack-Nova-API-Version": "latest"}
VERSIONS = [{}, {"OpenStack-API-Version": "compute 2.1", "X-OpenStack-Nova-API-Version": "2.1"},
            LATEST, LATEST]


class Fuzzer:
    def __init__(self, deployment, tokens: dict[str, str], service: str,
                 known_ids: dict[str, str]) -> None:
        self.client = asgi.get_client(deployment.app).__enter__()
        self.tokens = tokens
        self.known_ids = known_ids
        self.shapes = envelope_shapes(service)
        self.cases = 0
        self.failures: dict[str, str] = {}

    def run(self, operation, mode: GenerationMode, examples: int) -> None:
        @given(case=operation.as_strategy(generation_mode=mode),
               who=st.sampled_from(sorted(self.tokens)), version=st.sampled_from(VERSIONS),
               picks=st.lists(st.integers(0, 7) | st.none(), min_size=3, max_size=3))
        @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
                  derandomize=SEED is None, suppress_health_check=list(HealthCheck))
        def check(case, who, version, picks):
            self.cases += 1
            for parameter, pick in zip(list(case.path_parameters or {}), picks, strict=False):
                if pick is not None:  # half the time a real resource, to get past its 404
                    case.path_parameters[parameter] = known_id(parameter, self.known_ids, pick)
            response = case.call(session=self.client,
                                 headers={"X-Auth-Token": self.tokens[who], **version})
            found = problem(response, self.shapes)
            if found and operation.label not in self.failures:
                self.failures[operation.label] = (
                    f"{found}: {response.status_code} {response.text[:200]!r}\n"
                    f"    {case.as_curl_command()}")

        if SEED is not None:
            check = seed(int(SEED))(check)
        try:
            check()
        except Unsatisfiable:
            pass  # no case of this mode exists (e.g. negatives of a free-form string)


@pytest.mark.parametrize("service", documented_services())
def test_no_input_gets_a_server_error(service, deployment, admin, demo, record_property):
    app = next(route.app for route in deployment.app.routes
               if getattr(route, "path", "") == f"/{service}")
    schema = schemathesis.openapi.from_asgi(f"/{service}{app.openapi_url}", deployment.app)
    fuzzer = Fuzzer(deployment, {"admin": admin.token, "demo": demo.token}, service,
                    fuzz_owned_ids(admin, demo))
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda op: op.method.upper() == "DELETE")  # the known IDs live longer
    for operation in operations:
        fuzzer.run(operation, GenerationMode.POSITIVE, EXAMPLES)
        if operation.definition.raw.get("requestBody"):
            fuzzer.run(operation, GenerationMode.NEGATIVE, max(EXAMPLES // 2, 1))
    record_property("operations", len(operations))
    record_property("cases", fuzzer.cases)
    print(f"{service}: {len(operations)} operations, {fuzzer.cases} cases")
    assert operations
    assert fuzzer.failures == {}, "\n".join(
        f"{label}: {detail}" for label, detail in fuzzer.failures.items())
