"""Creative uploads through Ray Serve: validation by bytes, object store, renditions as Ray tasks.

The 30 s 1080p upload starts first and is transcoded in the background while the quicker
tests run; the last test waits for it to become active.
"""

from __future__ import annotations

import json
import re
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from actors.creative_processor import ACTOR_NAME, NAMESPACE
from media.loudness import measure_loudness
from media.probe import probe_video
from media.synthetic import write_synthetic_audio, write_synthetic_video
from tests.integration.factories import draft_campaign, send_captions
from tests.stack_fixtures import Stack, execute_sql, wait_until

SOURCE_KEY = re.compile(r"creatives/([0-9a-f-]{36})/[0-9a-f]{16}-source\.mp4")


@dataclass(frozen=True, slots=True)
class Fixtures:
    hd: Path
    small: Path
    faststart: Path
    text: Path
    truncated: Path
    webm: Path
    mov: Path
    audio_only: Path
    too_long: Path
    empty: Path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Fixtures:
    root = tmp_path_factory.mktemp("creatives")
    small = write_synthetic_video(root / "small.mp4", width=320, height=180, duration_s=1)
    truncated = root / "truncated.mp4"
    truncated.write_bytes(small.read_bytes()[: small.stat().st_size * 6 // 10])
    text = root / "notes.mp4"
    text.write_text("Not a video, whatever its name says.\n" * 50)
    empty = root / "empty.mp4"
    empty.write_bytes(b"")
    return Fixtures(
        hd=write_synthetic_video(root / "hd.mp4", width=1920, height=1080, duration_s=30, fps=10),
        small=small,
        faststart=write_synthetic_video(
            root / "faststart.mp4", width=320, height=180, duration_s=1, faststart=True
        ),
        text=text,
        truncated=truncated,
        webm=write_synthetic_video(
            root / "webm.mp4", width=320, height=180, duration_s=1, container="webm"
        ),
        mov=write_synthetic_video(
            root / "mov.mp4", width=320, height=180, duration_s=1, container="mov"
        ),
        audio_only=write_synthetic_audio(root / "audio.mp4", duration_s=1),
        too_long=write_synthetic_video(
            root / "long.mp4", width=64, height=64, duration_s=121, fps=1, audio=False
        ),
        empty=empty,
    )


@pytest.fixture(scope="module")
def client(stack: Stack, admin_token: str) -> Iterator[httpx.Client]:
    """A module-wide authenticated client (``api`` is per test)."""
    with httpx.Client(
        base_url=stack.admin_url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=60
    ) as api:
        yield api


CAPTIONS = b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello.\n"


def media_dir(stack: Stack) -> Path:
    return Path(stack.env["DATA_DIR"]) / "media"


def upload(
    api: httpx.Client,
    campaign_id: str,
    path: Path,
    *,
    name: str = "Spot",
    filename: str | None = None,
) -> httpx.Response:
    with path.open("rb") as video:
        return api.post(
            f"/campaigns/{campaign_id}/creatives",
            data={"name": name},
            files={"video": (filename or path.name, video, "video/mp4")},
        )


def created(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 201, answer.text
    creative: dict[str, Any] = answer.json()["creative"]
    return creative


def creative(api: httpx.Client, creative_id: str) -> dict[str, Any]:
    answer = api.get(f"/creatives/{creative_id}")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()["creative"]
    return found


def stored_files(stack: Stack) -> set[Path]:
    return {p for p in media_dir(stack).rglob("*") if p.is_file()}


def leftovers(stack: Stack) -> set[Path]:
    """Creative directories in the media store and upload temp files. A write of this upload
    would be in a new creative directory; temp files inside the existing ones belong to renditions
    that earlier tests' creatives are still writing."""
    creatives = media_dir(stack) / "creatives"
    dirs = set(creatives.iterdir()) if creatives.exists() else set()
    temp = set(Path(tempfile.gettempdir()).glob("ctv-upload-*"))
    return dirs | temp | set(media_dir(stack).glob(".upload-*"))


def key_of(url: str, stack: Stack) -> str:
    prefix = f"{stack.base_url}/media/"
    assert url.startswith(prefix), url
    return url.removeprefix(prefix)


@dataclass(slots=True)
class Watched:
    """A creative, and every (status, progress) its GET showed while it was processed."""

    created: dict[str, Any]
    seen: list[tuple[str, float]] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)


@pytest.fixture(scope="module")
def hd_upload(stack: Stack, client: httpx.Client, files: Fixtures) -> Iterator[Watched]:
    """The 30 s 1080p upload, polled in the background until it leaves ``processing``."""
    watched = Watched(created(upload(client, draft_campaign(client), files.hd, name="HD spot")))

    def poll() -> None:
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and not stop.is_set():
            state = creative(client, watched.created["id"])
            watched.seen.append((state["status"], state["progress"]))
            if state["status"] != "processing":
                break
            time.sleep(0.25)
        watched.done.set()

    stop = threading.Event()
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    yield watched
    stop.set()
    poller.join(timeout=10)


def test_upload_answers_201_processing_with_what_the_probe_found(
    stack: Stack, client: httpx.Client, files: Fixtures, hd_upload: Watched, rds: redis.Redis
) -> None:
    body = hd_upload.created
    assert body["status"] == "processing"
    assert body["progress"] < 1 and body["error"] is None and body["renditions"] == []
    assert body["name"] == "HD spot"
    assert (body["width"], body["height"]) == (1920, 1080)
    assert abs(body["duration_ms"] - 30_000) < 200
    assert (body["video_codec"], body["audio_codec"], body["mime"]) == ("h264", "aac", "video/mp4")
    assert body["size_bytes"] == files.hd.stat().st_size
    assert body["bitrate_kbps"] > 0
    # The synthetic tone (peak 0.2 of full scale) is about -14.7 LUFS: far over TV's -24.
    loudness = body["loudness"]
    assert loudness["source_lufs"] == pytest.approx(-14.7, abs=0.3)
    assert (loudness["source_verdict"], loudness["target_lufs"]) == ("too_loud", -24.0)
    assert loudness["served_lufs"] is None  # the renditions are still to be made
    match = SOURCE_KEY.fullmatch(key_of(body["url"], stack))
    assert match is not None and match.group(1) == body["id"]
    original = media_dir(stack) / key_of(body["url"], stack)
    assert original.read_bytes() == files.hd.read_bytes()
    listed = client.get(f"/campaigns/{body['campaign_id']}/creatives").json()["creatives"]
    assert [c["id"] for c in listed] == [body["id"]]
    wait_until(lambda: rds.exists(f"{stack.redis_prefix}creative:{body['id']}"), timeout=1.0)


@pytest.mark.parametrize(
    ("fixture", "status", "code", "reason"),
    [
        ("text", 422, "media_not_mp4", "not an MP4"),
        ("empty", 422, "media_not_mp4", "not an MP4"),
        ("truncated", 422, "media_corrupt", "truncated"),
        ("webm", 422, "media_not_mp4", "WebM"),
        ("mov", 422, "media_not_mp4", "QuickTime"),
        ("audio_only", 422, "media_no_video", "no video track"),
        ("too_long", 422, "media_too_long", "the limit is 120 s"),
    ],
)
def test_bad_files_are_refused_with_the_reason_and_leave_nothing(
    stack: Stack,
    api: httpx.Client,
    files: Fixtures,
    fixture: str,
    status: int,
    code: str,
    reason: str,
) -> None:
    campaign_id = draft_campaign(api)
    before = leftovers(stack)

    answer = upload(api, campaign_id, getattr(files, fixture))

    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code
    assert reason in error["message"]
    assert leftovers(stack) == before
    assert api.get(f"/campaigns/{campaign_id}/creatives").json() == {"creatives": []}


def test_upload_over_the_size_limit_is_413_and_leaves_nothing(
    stack: Stack, api: httpx.Client
) -> None:
    campaign_id = draft_campaign(api)
    before = leftovers(stack)
    boundary = "limit-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nBig\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="video"; filename="big.mp4"'
        "\r\n\r\n"
    ).encode()
    chunk = bytes(1 << 20)

    def body() -> Iterator[bytes]:  # chunked: no Content-Length for the middleware to refuse
        yield head
        for _ in range(101):
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    started = time.monotonic()
    answer = api.post(
        f"/campaigns/{campaign_id}/creatives",
        content=body(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )

    assert answer.status_code == 413, answer.text
    assert answer.json()["error"]["code"] == "media_too_large"
    assert "upload limit of 100 MB" in answer.json()["error"]["message"]
    assert time.monotonic() - started < 30
    assert leftovers(stack) == before


def read_response(conn: socket.socket) -> str:
    """One whole HTTP/1.1 response (headers and a Content-Length body) as it arrives: the
    ingress may keep the connection open after it."""
    data = b""
    while b"\r\n\r\n" not in data or len(data) < _response_length(data):
        chunk = conn.recv(65_536)
        if not chunk:
            break
        data += chunk
    return data.decode()


def _response_length(data: bytes) -> int:
    head, _, _ = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(head) + 4 + int(value)
    return len(head) + 4


def test_declared_body_over_the_limit_is_413_before_it_is_sent(
    stack: Stack, admin_token: str
) -> None:
    host, port = stack.base_url.removeprefix("http://").split(":")
    request = (
        f"POST /api/v1/admin/campaigns/{uuid.uuid4()}/creatives HTTP/1.1\r\n"
        f"Host: {host}\r\nAuthorization: Bearer {admin_token}\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 200000000\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request.encode())
        answer = read_response(conn)

    assert answer.startswith("HTTP/1.1 413"), answer
    assert '"payload_too_large"' in answer


@pytest.mark.parametrize(
    ("name", "filename"),
    [
        ("../../etc/passwd", "../../x.mp4"),
        ("🎬 spot — été 2025", "🎬 spot.mp4"),
        ("  <script>alert('x')</script> & \"quotes\" ", "/etc/passwd"),
        ("C:\\Windows\\system32", "..\\..\\evil.mp4"),
        ("%2e%2e%2f; DROP TABLE creatives; --", ".."),
    ],
)
def test_names_are_display_only_and_stored_verbatim(
    stack: Stack, api: httpx.Client, files: Fixtures, name: str, filename: str
) -> None:
    campaign_id = draft_campaign(api)

    body = created(upload(api, campaign_id, files.small, name=name, filename=filename))

    assert body["name"] == name.strip()
    assert creative(api, body["id"])["name"] == name.strip()
    key = key_of(body["url"], stack)
    assert SOURCE_KEY.fullmatch(key)
    assert (media_dir(stack) / key).resolve().is_relative_to(media_dir(stack).resolve())
    assert (media_dir(stack) / key).read_bytes() == files.small.read_bytes()


@pytest.mark.parametrize("name", ["", "   ", "x" * 256, "bell\x07", "line\nbreak"])
def test_bad_names_are_422_and_leave_nothing(
    stack: Stack, api: httpx.Client, files: Fixtures, name: str
) -> None:
    campaign_id = draft_campaign(api)
    before = leftovers(stack)

    answer = upload(api, campaign_id, files.small, name=name)

    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["details"][0]["field"] == "name"
    assert leftovers(stack) == before


def test_missing_fields_are_422(stack: Stack, api: httpx.Client, files: Fixtures) -> None:
    campaign_id = draft_campaign(api)
    path = f"/campaigns/{campaign_id}/creatives"
    no_video = api.post(path, data={"name": "x"}, files={"other": ("a.txt", b"x")})
    with files.small.open("rb") as video:
        no_name = api.post(path, files={"video": ("a.mp4", video)})
    as_json = api.post(path, json={"name": "x", "video": "AAAA"})

    assert no_video.status_code == 422
    assert {d["field"] for d in no_video.json()["error"]["details"]} == {"other"}
    assert no_name.status_code == 422
    assert [d["field"] for d in no_name.json()["error"]["details"]] == ["name"]
    assert as_json.status_code == 422
    assert "multipart/form-data" in as_json.json()["error"]["message"]


def test_concurrent_uploads_all_succeed_with_distinct_keys(
    stack: Stack, client: httpx.Client, files: Fixtures
) -> None:
    campaign_id = draft_campaign(client)
    sources = [files.small, files.faststart, files.small]

    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(
            pool.map(
                lambda i: upload(client, campaign_id, sources[i], name=f"parallel {i}"), range(3)
            )
        )

    bodies = [created(answer) for answer in answers]
    assert len({b["id"] for b in bodies}) == len({b["url"] for b in bodies}) == 3
    for body, source in zip(bodies, sources, strict=True):
        assert (media_dir(stack) / key_of(body["url"], stack)).read_bytes() == source.read_bytes()
    listed = client.get(f"/campaigns/{campaign_id}/creatives").json()["creatives"]
    assert {c["name"] for c in listed} == {"parallel 0", "parallel 1", "parallel 2"}


def test_delete_removes_the_original_and_renditions(
    stack: Stack, api: httpx.Client, files: Fixtures, rds: redis.Redis
) -> None:
    campaign_id = draft_campaign(api)
    body = created(upload(api, campaign_id, files.small))
    wait_until(lambda: creative(api, body["id"])["status"] == "active", timeout=60, interval=0.25)
    active = creative(api, body["id"])
    urls = [active["url"], *(r["url"] for r in active["renditions"])]
    paths = [media_dir(stack) / key_of(url, stack) for url in urls]
    assert len(paths) >= 2 and all(p.is_file() for p in paths)
    assert httpx.get(urls[-1]).status_code == 200

    assert api.delete(f"/creatives/{body['id']}").status_code == 204

    assert not any(p.exists() for p in paths)
    assert not (media_dir(stack) / "creatives" / body["id"]).exists()
    assert all(httpx.get(url).status_code == 404 for url in urls)
    assert api.get(f"/creatives/{body['id']}").status_code == 404
    assert api.delete(f"/creatives/{body['id']}").status_code == 404
    assert body["id"] not in rds.smembers(f"{stack.redis_prefix}campaign:{campaign_id}:creatives")


@pytest.mark.parametrize("bad_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_unknown_ids_are_404(api: httpx.Client, files: Fixtures, bad_id: str) -> None:
    assert api.get(f"/creatives/{bad_id}").status_code == 404
    assert api.delete(f"/creatives/{bad_id}").status_code == 404
    assert api.get(f"/campaigns/{bad_id}/creatives").status_code == 404
    answer = upload(api, bad_id, files.small)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_creative_routes_need_a_login(anon: httpx.Client, files: Fixtures) -> None:
    campaign_id = str(uuid.uuid4())
    assert upload(anon, campaign_id, files.small).status_code == 401
    assert anon.get(f"/campaigns/{campaign_id}/creatives").status_code == 401
    assert anon.get(f"/creatives/{campaign_id}").status_code == 401
    assert anon.delete(f"/creatives/{campaign_id}").status_code == 401


def test_hd_upload_becomes_active_with_playable_renditions(
    stack: Stack, client: httpx.Client, hd_upload: Watched, rds: redis.Redis, tmp_path: Path
) -> None:
    assert hd_upload.done.wait(timeout=150), f"still processing: {hd_upload.seen[-3:]}"
    body = creative(client, hd_upload.created["id"])
    assert body["status"] == "active", body["error"]
    assert body["progress"] == 1.0 and body["error"] is None
    progress = [p for _, p in hd_upload.seen]
    assert progress == sorted(progress)
    assert any(0 < p < 1 for p in progress), hd_upload.seen

    renditions = body["renditions"]
    assert len(renditions) >= 3
    assert len({r["name"] for r in renditions}) == len(renditions)
    for rendition in renditions:
        assert rendition["height"] <= 1080 and rendition["width"] <= 1920
        assert (rendition["mime"], rendition["codec"]) == ("video/mp4", "h264")
        assert rendition["bitrate_kbps"] > 0
        answer = httpx.get(rendition["url"], timeout=60)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "video/mp4"
        local = tmp_path / f"{rendition['name']}.mp4"
        local.write_bytes(answer.content)
        info = probe_video(local, max_bytes=len(answer.content), max_duration_s=60)
        assert (info.width, info.height) == (rendition["width"], rendition["height"])
        assert (info.video_codec, info.audio_codec) == ("h264", "aac")
        assert abs(info.duration_ms - body["duration_ms"]) < 200
        # Each rendition was turned down to the target; measured again here, off the file.
        heard = measure_loudness(local)
        assert heard.integrated_lufs == pytest.approx(rendition["loudness_lufs"], abs=0.05)
        assert heard.integrated_lufs == pytest.approx(-24.0, abs=0.3)
    loudness = body["loudness"]
    assert loudness["gain_db"] == pytest.approx(-9.3, abs=0.3)
    assert (loudness["served_verdict"], loudness["limited_by"]) == ("on_target", None)
    assert loudness["served_true_peak_dbtp"] <= -2.0

    key = f"{stack.redis_prefix}creative:{body['id']}"
    wait_until(lambda: rds.hget(key, "status") == "active", timeout=2.0)
    assert len(json.loads(rds.hget(key, "renditions") or "[]")) == len(renditions)
    history = client.get(f"/campaigns/{body['campaign_id']}/history").json()["changes"]
    (processed,) = [c for c in history if c["action"] == "creative_processed"]
    uploaded, heard = processed["changes"].pop("loudness")
    assert processed["changes"] == {
        "creative": [None, "HD spot"],
        "processing": [None, "ready"],
        "renditions": [None, len(renditions)],
    }
    assert uploaded == loudness["source_lufs"]
    assert heard == max(r["loudness_lufs"] for r in renditions)


def test_a_restarted_processor_resumes_what_was_processing(
    stack: Stack, api: httpx.Client, files: Fixtures, ray_client: Any
) -> None:
    body = created(upload(api, draft_campaign(api), files.small))
    wait_until(lambda: creative(api, body["id"])["status"] == "active", timeout=90, interval=0.25)
    # The row as a processor that died mid-way leaves it (a small file may be done before any
    # kill could land, so the state is set rather than raced for).
    execute_sql(
        stack,
        "UPDATE creatives SET status = 'processing', renditions = '[]'::jsonb, progress = 0"
        " WHERE id = $1::uuid",
        [(body["id"],)],
    )
    processor = ray_client.get_actor(ACTOR_NAME, namespace=NAMESPACE)

    ray_client.kill(processor, no_restart=False)
    assert creative(api, body["id"])["status"] == "processing"

    wait_until(lambda: creative(api, body["id"])["status"] == "active", timeout=90, interval=0.25)
    assert len(creative(api, body["id"])["renditions"]) == 1


def test_a_duplicate_gets_copies_of_the_ready_creatives(
    stack: Stack, api: httpx.Client, editor: httpx.Client, files: Fixtures
) -> None:
    source = draft_campaign(api)
    video = created(upload(api, source, files.small, name="Spot <A>"))
    wait_until(lambda: creative(api, video["id"])["status"] == "active", timeout=60, interval=0.25)
    tag = editor.post(
        f"/campaigns/{source}/vast-tags",
        json={"name": "SSP", "vast_tag_url": "https://ssp.example/v?cb=1", "duration_s": 15},
    ).json()["creative"]
    assert tag["review_status"] == "pending"
    captioned = send_captions(editor, video["id"], "en", CAPTIONS)
    assert captioned.status_code == 201, captioned.text
    (source_captions,) = captioned.json()["creative"]["captions"]
    industry = {"registry": "ad-id.org", "value": "ABCD0123456H"}  # the same spot: kept
    named = editor.patch(f"/creatives/{video['id']}", json={"universal_ad_id": industry})
    assert named.status_code == 200, named.text
    target = draft_campaign(editor, name="Copy of the source")

    answer = editor.post(f"/campaigns/{target}/creatives/copy", json={"from_campaign_id": source})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["skipped"] == 0
    copies = {c["name"]: c for c in body["creatives"]}
    assert set(copies) == {"Spot <A>", "SSP"}
    me = editor.get("/auth/profile").json()["email"]
    assert {c["campaign_id"] for c in copies.values()} == {target}
    assert {c["created_by"] for c in copies.values()} == {me}
    assert copies["SSP"]["review_status"] == "pending"  # the same tag waits as the original does
    assert copies["SSP"]["vast_tag_url"] == tag["vast_tag_url"]

    original = creative(api, video["id"])
    copy = copies["Spot <A>"]
    assert (copy["status"], copy["duration_ms"]) == ("active", original["duration_ms"])
    assert copy["loudness"] == original["loudness"] and copy["loudness"] is not None
    assert copy["universal_ad_id"] == industry
    assert len(copy["renditions"]) == len(original["renditions"])
    urls = [copy["url"], *(r["url"] for r in copy["renditions"])]
    assert not set(urls) & {original["url"], *(r["url"] for r in original["renditions"])}
    (copy_captions,) = copy["captions"]
    assert copy_captions["language"] == "en" and copy_captions["url"] != source_captions["url"]
    urls.append(copy_captions["url"])
    assert all(httpx.get(url).status_code == 200 for url in urls)
    assert httpx.get(copy_captions["url"]).content == CAPTIONS
    assert api.delete(f"/creatives/{video['id']}").status_code == 204  # the source's files go
    assert httpx.get(source_captions["url"]).status_code == 404
    assert all(httpx.get(url).status_code == 200 for url in urls)  # the copy's stay

    for body_, status in [
        ({"from_campaign_id": target}, 422),  # onto itself
        ({"from_campaign_id": "00000000-0000-0000-0000-000000000000"}, 404),
        ({"from_campaign_id": "not-an-id"}, 422),
        ({"from": source}, 422),
    ]:
        refused = editor.post(f"/campaigns/{target}/creatives/copy", json=body_)
        assert refused.status_code == status, (body_, refused.text)
