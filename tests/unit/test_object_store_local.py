from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest

from config.settings import Settings
from storage.object_store import (
    LocalObjectStore,
    ObjectNotFound,
    S3ObjectStore,
    build_object_store,
    key_for_copy,
    new_object_key,
    validate_key,
)

CREATIVE_ID = str(uuid.uuid4())


@pytest.fixture
def store(tmp_path: Path) -> LocalObjectStore:
    return LocalObjectStore(tmp_path / "media", "http://ads.example/")


@pytest.fixture
def upload(tmp_path: Path) -> Path:
    path = tmp_path / "Holiday Spot (final).MP4"
    path.write_bytes(bytes(range(256)) * 10_000)
    return path


def test_new_keys_are_generated_never_taken_from_file_names() -> None:
    key = new_object_key("creatives", CREATIVE_ID, suffix="720p.mp4")

    assert re.fullmatch(rf"creatives/{CREATIVE_ID}/[0-9a-f]{{16}}-720p\.mp4", key)
    assert key != new_object_key("creatives", CREATIVE_ID, suffix="720p.mp4")


@pytest.mark.parametrize(
    ("kind", "creative_id", "suffix"),
    [
        ("creatives", "not-a-uuid", "source.mp4"),
        ("../etc", CREATIVE_ID, "source.mp4"),
        ("creatives", CREATIVE_ID, "../x.mp4"),
        ("creatives", CREATIVE_ID, "a/b.mp4"),
        ("creatives", CREATIVE_ID, "Clip.MP4"),
    ],
)
def test_new_object_key_refuses_unsafe_parts(kind: str, creative_id: str, suffix: str) -> None:
    with pytest.raises(ValueError, match="invalid"):
        new_object_key(kind, creative_id, suffix=suffix)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/etc/passwd",
        "creatives/../../etc/passwd",
        "creatives/a..b.mp4",
        "creatives//x.mp4",
        "creatives/x.mp4/",
        "Creatives/x.mp4",
        "creatives/.hidden",
        "creatives\\x.mp4",
        "creatives/x y.mp4",
        "creatives/é.mp4",
        "a" * 600,
    ],
)
def test_unsafe_keys_are_refused_everywhere(store: LocalObjectStore, key: str) -> None:
    with pytest.raises(ValueError, match="invalid object key"):
        validate_key(key)
    with pytest.raises(ValueError, match="invalid object key"):
        store.exists(key)
    with pytest.raises(ValueError, match="invalid object key"):
        store.public_url(key)


def test_put_then_read_size_url_and_delete(store: LocalObjectStore, upload: Path) -> None:
    key = new_object_key("creatives", CREATIVE_ID, suffix="source.mp4")
    progress: list[int] = []

    store.put_file(key, upload, content_type="video/mp4", on_progress=progress.append)

    assert store.exists(key)
    assert store.size(key) == upload.stat().st_size == progress[-1]
    assert store.path_of(key).read_bytes() == upload.read_bytes()
    assert store.public_url(key) == f"http://ads.example/media/{key}"
    store.delete(key)
    assert not store.exists(key)
    assert not (store.path_of(key).parent).exists()
    store.delete(key)


def test_put_replaces_atomically_and_leaves_no_temp_files(
    store: LocalObjectStore, upload: Path, tmp_path: Path
) -> None:
    key = f"creatives/{CREATIVE_ID}/source.mp4"
    newer = tmp_path / "newer.mp4"
    newer.write_bytes(b"new contents")

    store.put_file(key, upload, content_type="video/mp4")
    store.put_file(key, newer, content_type="video/mp4")

    assert store.path_of(key).read_bytes() == b"new contents"
    assert os.listdir(store.path_of(key).parent) == ["source.mp4"]


def test_failed_put_keeps_the_old_object(store: LocalObjectStore, upload: Path) -> None:
    key = f"creatives/{CREATIVE_ID}/source.mp4"
    store.put_file(key, upload, content_type="video/mp4")

    def fail(_: int) -> None:
        raise OSError("disk full")

    with pytest.raises(FileNotFoundError):
        store.put_file(key, upload.with_name("missing.mp4"), content_type="video/mp4")
    with pytest.raises(OSError, match="disk full"):
        store.put_file(key, upload, content_type="video/mp4", on_progress=fail)

    assert store.path_of(key).read_bytes() == upload.read_bytes()
    assert os.listdir(store.path_of(key).parent) == ["source.mp4"]


def test_iter_range_yields_exactly_the_requested_bytes(
    store: LocalObjectStore, upload: Path
) -> None:
    key = f"creatives/{CREATIVE_ID}/source.mp4"
    store.put_file(key, upload, content_type="video/mp4")
    data = upload.read_bytes()

    chunks = list(store.iter_range(key, start=100, end=250_099, chunk_size=65_536))

    assert b"".join(chunks) == data[100:250_100]
    assert max(len(chunk) for chunk in chunks) == 65_536
    assert b"".join(store.iter_range(key, start=len(data) - 1, end=len(data) - 1)) == data[-1:]


def test_missing_objects(store: LocalObjectStore) -> None:
    key = f"creatives/{CREATIVE_ID}/missing.mp4"

    assert not store.exists(key)
    with pytest.raises(ObjectNotFound) as caught:
        store.size(key)
    assert caught.value.status_code == 404
    with pytest.raises(ObjectNotFound):
        list(store.iter_range(key, start=0, end=10))


def test_build_object_store_follows_settings(tmp_path: Path) -> None:
    local = build_object_store(
        Settings(object_store="local", media_dir=tmp_path, public_base_url="http://127.0.0.1:8000")
    )
    assert isinstance(local, LocalObjectStore)
    assert local.public_url("creatives/x.mp4") == "http://127.0.0.1:8000/media/creatives/x.mp4"

    s3 = build_object_store(
        Settings(
            object_store="s3",
            s3_bucket="ads",
            s3_region="eu-west-1",
            s3_public_base_url="https://cdn.example/",
        )
    )
    assert isinstance(s3, S3ObjectStore)
    assert s3.public_url("creatives/x.mp4") == "https://cdn.example/creatives/x.mp4"

    with pytest.raises(RuntimeError, match="S3_BUCKET"):
        build_object_store(Settings(object_store="s3"))


def test_a_copy_has_a_key_and_a_file_of_its_own(store: LocalObjectStore, upload: Path) -> None:
    key = new_object_key("creatives", CREATIVE_ID, suffix="720p.mp4")
    store.put_file(key, upload, content_type="video/mp4")
    other = str(uuid.uuid4())
    copy = key_for_copy(key, other)
    assert copy.startswith(f"creatives/{other}/") and copy.endswith("-720p.mp4")
    assert key_for_copy(key, other) != copy  # a fresh random part each time

    store.copy(key, copy)

    assert store.path_of(copy).read_bytes() == upload.read_bytes()
    store.delete(key)
    assert store.exists(copy) and not store.exists(key)
    with pytest.raises(ObjectNotFound):
        store.copy(key, copy)
    with pytest.raises(ValueError, match="invalid object key"):
        store.copy(copy, "../escape.mp4")
