"""API keys: admins make them for integrations with a role; a key acts with that role until it
is revoked; only its hash is kept."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from tests.integration.factories import draft_campaign
from tests.stack_fixtures import Stack


def make_key(api: httpx.Client, role: str, name: str = "Nightly <BI> export") -> dict[str, Any]:
    answer = api.post("/api-keys", json={"name": name, "role": role})
    assert answer.status_code == 201, answer.text
    made: dict[str, Any] = answer.json()
    return made


@pytest.fixture
def keyed(stack: Stack) -> Iterator[Any]:
    """``keyed(secret)``: a client of the management API that sends the key."""
    clients: list[httpx.Client] = []

    def client(secret: str) -> httpx.Client:
        made = httpx.Client(
            base_url=stack.admin_url, headers={"Authorization": f"Bearer {secret}"}, timeout=30
        )
        clients.append(made)
        return made

    yield client
    for made in clients:
        made.close()


def test_a_viewer_key_reads_reports_and_changes_nothing(api: httpx.Client, keyed: Any) -> None:
    made = make_key(api, "viewer")
    secret, key = made["key"], made["api_key"]
    assert secret.startswith("ctvk_") and len(secret) > 40
    assert key["shown"] == secret[:11] and key["role"] == "viewer"
    client = keyed(secret)
    assert client.get("/campaigns").status_code == 200
    assert client.get("/reports/performance", params={"format": "csv"}).status_code == 200
    refused = client.post("/campaigns", json={})
    assert refused.status_code == 403 and "viewer" in refused.json()["error"]["message"]
    assert client.get("/users").status_code == 403 and client.get("/api-keys").status_code == 403
    listed = {k["id"]: k for k in api.get("/api-keys").json()["api_keys"]}
    assert listed[key["id"]]["last_used_at"] is not None
    assert secret not in api.get("/api-keys").text


def test_an_editor_key_signs_its_changes_and_stops_when_revoked(
    api: httpx.Client, keyed: Any
) -> None:
    made = make_key(api, "editor", name="Trafficking script")
    client = keyed(made["key"])
    cid = draft_campaign(client)
    history = api.get(f"/campaigns/{cid}/history").json()["changes"]
    assert history[0]["actor"] == "API key “Trafficking script”"
    assert api.delete(f"/api-keys/{made['api_key']['id']}").status_code == 204
    gone = client.get("/campaigns")
    assert gone.status_code == 401 and "revoked" in gone.json()["error"]["message"]
    assert api.delete(f"/api-keys/{made['api_key']['id']}").status_code == 204  # idempotent
    listed = {k["id"]: k for k in api.get("/api-keys").json()["api_keys"]}
    assert listed[made["api_key"]["id"]]["revoked_at"] is not None
    team = api.get("/users/history").json()["changes"]
    mine = [c["action"] for c in team if c["user_id"] == made["api_key"]["id"]]
    assert mine == ["removed", "added"]


def test_only_hashes_are_kept(stack: Stack, api: httpx.Client) -> None:
    made = make_key(api, "viewer")

    async def stored() -> list[str]:
        conn = await asyncpg.connect(stack.database_url)
        try:
            return [row["digest"] for row in await conn.fetch("SELECT digest FROM api_keys")]
        finally:
            await conn.close()

    digests = asyncio.run(stored())
    assert digests and all(len(d) == 64 for d in digests)
    assert not any(made["key"] in d or made["key"][5:] in d for d in digests)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "role": "admin"}, "role"),
        ({"name": "   ", "role": "viewer"}, "name"),
        ({"name": "x" * 101, "role": "viewer"}, "name"),
        ({"name": "x", "role": "viewer", "scope": "all"}, "scope"),
    ],
)
def test_bad_keys_are_422_naming_the_field(
    api: httpx.Client, body: dict[str, str], field: str
) -> None:
    answer = api.post("/api-keys", json=body)
    assert answer.status_code == 422, answer.text
    fields = {d["field"].removeprefix("body.") for d in answer.json()["error"]["details"]}
    assert field in fields, answer.text


@pytest.mark.parametrize("secret", ["ctvk_forged", "ctvk_" + "A" * 43, "ctvk_"])
def test_unknown_keys_are_401(keyed: Any, secret: str) -> None:
    answer = keyed(secret).get("/campaigns")
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "not_authenticated"


def test_unknown_key_ids_are_404(api: httpx.Client) -> None:
    for key_id in ("00000000-0000-0000-0000-000000000000", "nope"):
        assert api.delete(f"/api-keys/{key_id}").status_code == 404
