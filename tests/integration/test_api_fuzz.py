"""The management API under generated input (schemathesis, from its own OpenAPI document):
whatever arrives, the answer is never a 5xx and every refusal is our JSON error body.

Each operation gets ``EXAMPLES`` generated requests (random: a fixed seed found none of the NUL
characters a random run finds; a failure prints the requests that failed) from an admin of its
own; what they create (campaigns, users, keys) is deleted afterwards, so the
rest of the suite sees the stack as it was. Operations that would end the fuzzing admin's own
session (log out, change its password) are left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

from tests.integration.factories import client_of, new_user
from tests.stack_fixtures import Stack

EXAMPLES = 25
OWN_SESSION = {"/auth/logout", "/auth/password"}
JSON_TYPES = ("application/json", "text/csv")


def _ids(api: httpx.Client, path: str, key: str) -> set[str]:
    """The ids of every item a listing returns (campaigns are paged)."""
    paged = key == "campaigns"
    found: set[str] = set()
    offset = 0
    while True:
        answer = api.get(path, params={"limit": 200, "offset": offset} if paged else {})
        assert answer.status_code == 200, answer.text
        items = answer.json()[key]
        found |= {item["id"] for item in items}
        if not paged or len(items) < 200:
            return found
        offset += 200


LISTINGS = {"/campaigns": "campaigns", "/users": "users", "/api-keys": "api_keys"}


@pytest.fixture
def fuzzer(stack: Stack, api: httpx.Client) -> Iterator[dict[str, str]]:
    """An admin's Authorization header; deletes what the fuzzing created."""
    user = new_user(api, "admin")
    before = {path: _ids(api, path, key) for path, key in LISTINGS.items()}
    with client_of(stack, user["email"]) as own:
        yield {"Authorization": own.headers["Authorization"]}
    for path, key in LISTINGS.items():
        for created in _ids(api, path, key) - before[path] - {user["id"]}:
            assert api.delete(f"{path}/{created}").status_code in (204, 404, 409)
    assert api.delete(f"/users/{user['id']}").status_code == 204


def _problems(base_url: str, headers: dict[str, str]) -> Callable[[Any], list[str]]:
    def fuzz(operation: Any) -> list[str]:
        """The problems ``EXAMPLES`` generated requests of ``operation`` (a schemathesis
        ``APIOperation``) met."""
        found: list[str] = []

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=False,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            answer = case.call(base_url=base_url, headers=headers, timeout=30)
            content_type = (answer.headers.get("content-type") or [""])[0]
            if answer.status_code >= 500 or (
                answer.status_code >= 400
                and not (content_type.startswith(JSON_TYPES) and '"error"' in answer.text)
            ):
                found.append(
                    f"{operation.method.upper()} {operation.path} -> {answer.status_code}: "
                    f"{answer.text[:200]!r} for query={case.query!r} body={str(case.body)[:200]!r}"
                )

        run()
        return found

    return fuzz


def test_generated_requests_never_get_a_server_error(stack: Stack, fuzzer: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_url(f"{stack.admin_url}/openapi.json")
    fuzz = _problems(stack.admin_url, fuzzer)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the document describes every operation
        operations.append(result.ok())
    assert len(operations) >= 30
    problems = [
        problem
        for operation in operations
        if operation.path not in OWN_SESSION
        for problem in fuzz(operation)
    ]
    assert not problems, "\n".join(problems[:20])


def test_nul_characters_are_refused_naming_the_field(
    stack: Stack, api: httpx.Client, anon: httpx.Client
) -> None:
    """PostgreSQL text cannot hold U+0000: such input is the client's mistake (422), not a
    storage outage (503) nor a poisoned beacon pipeline."""
    for answer, field in [
        (api.get("/campaigns", params={"search": "a\x00"}), "query.search"),
        (api.post("/api-keys", json={"name": "key\x00", "role": "viewer"}), "name"),
        (anon.post("/auth/login", json={"email": "a\x00@b.example", "password": "x"}), "email"),
    ]:
        assert answer.status_code == 422, answer.text
        details = answer.json()["error"]["details"]
        assert [d["field"] for d in details] == [field], details
    with httpx.Client(base_url=stack.base_url, timeout=30) as serving:
        tag = serving.get("/api/v1/vast", params={"request_id": "a\x00b"})
        assert tag.status_code == 422, tag.text
        assert tag.json()["error"]["details"][0]["field"] == "request_id"
        vmap = serving.get("/api/v1/vmap", params={"request_id": "a b"})
        assert vmap.status_code == 422 and "request_id" in vmap.text, vmap.text
