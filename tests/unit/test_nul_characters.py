"""NUL characters (which PostgreSQL text cannot hold) are refused at the management API's door."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import Depends, FastAPI
from pydantic import BaseModel

from deployments.http_errors import install_error_handlers, refuse_nul_characters


class Named(BaseModel):
    name: str
    tags: list[str] = []
    extra: dict[str, Any] = {}


def client() -> httpx.AsyncClient:
    app = FastAPI(dependencies=[Depends(refuse_nul_characters)])
    install_error_handlers(app)

    @app.post("/things")
    async def create(thing: Named, search: str = "") -> dict[str, str]:
        return {"name": thing.name, "search": search}

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api")


def fields(answer: Any) -> list[str]:
    assert answer.status_code == 422, answer.text
    body = answer.json()["error"]
    assert body["code"] == "invalid_input"
    return [d["field"] for d in body["details"]]


async def test_nul_anywhere_in_a_json_body_is_refused_naming_the_field() -> None:
    async with client() as http:
        answer = await http.post(
            "/things",
            json={"name": "a\x00b", "tags": ["ok", "x\x00"], "extra": {"k\x00": 1, "v": "\x00"}},
        )
        assert fields(answer) == ["name", "tags.1", "extra.k\x00", "extra.v"]
        assert "NUL character" in answer.json()["error"]["details"][0]["message"]


async def test_nul_in_the_query_is_refused() -> None:
    async with client() as http:
        assert fields(await http.post("/things?search=%00", json={"name": "x"})) == ["query.search"]


async def test_clean_requests_and_an_escaped_backslash_pass() -> None:
    async with client() as http:
        answer = await http.post("/things?search=fine", json={"name": "C:\\u0000 not a NUL"})
        assert answer.status_code == 200
        assert answer.json() == {"name": "C:\\u0000 not a NUL", "search": "fine"}


async def test_malformed_json_is_still_reported_as_such() -> None:
    async with client() as http:
        answer = await http.post(
            "/things", content=b'{"name": "\\u0000', headers={"content-type": "application/json"}
        )
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "malformed_json"
