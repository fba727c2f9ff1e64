"""S3ObjectStore against moto's S3 server (one per run, on a free local port)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from cluster.ports import free_port
from storage.object_store import ObjectNotFound, S3ObjectStore, key_for_copy, new_object_key

pytestmark = pytest.mark.integration

BUCKET = "creatives-test"
REGION = "us-east-1"
# What the operator's bucket policy (or CloudFront origin access) provides: players read objects.
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        }
    ],
}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.setenv(name, "testing")
        env.delenv("AWS_PROFILE", raising=False)
        server.start()
        endpoint = f"http://127.0.0.1:{port}"
        admin = boto3.client("s3", region_name=REGION, endpoint_url=endpoint)
        admin.create_bucket(Bucket=BUCKET)
        admin.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
        try:
            yield endpoint
        finally:
            server.stop()


@pytest.fixture
def store(s3_endpoint: str) -> S3ObjectStore:
    return S3ObjectStore(BUCKET, region=REGION, endpoint_url=s3_endpoint, public_base_url=None)


@pytest.fixture
def key() -> str:
    return new_object_key("creatives", str(uuid.uuid4()), suffix="720p.mp4")


def test_put_exists_size_url_delete(
    store: S3ObjectStore, s3_endpoint: str, key: str, tmp_path: Path
) -> None:
    upload = tmp_path / "clip.mp4"
    upload.write_bytes(bytes(range(256)) * 400)

    store.put_file(key, upload, content_type="video/mp4")

    assert store.exists(key)
    assert store.size(key) == upload.stat().st_size
    url = store.public_url(key)
    assert url == f"{s3_endpoint}/{BUCKET}/{key}"
    response = httpx.get(url, headers={"Range": "bytes=256-511"})
    assert response.status_code == 206
    assert response.content == bytes(range(256))
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    store.delete(key)
    assert not store.exists(key)


def test_multipart_upload_reports_running_totals(
    store: S3ObjectStore, key: str, tmp_path: Path
) -> None:
    upload = tmp_path / "big.mp4"
    upload.write_bytes(b"\0" * (9 * 1024 * 1024))
    progress: list[int] = []

    store.put_file(key, upload, content_type="video/mp4", on_progress=progress.append)

    assert progress == sorted(progress)
    assert progress[-1] == upload.stat().st_size == store.size(key)


def test_missing_objects(store: S3ObjectStore, key: str) -> None:
    assert not store.exists(key)
    with pytest.raises(ObjectNotFound):
        store.size(key)
    store.delete(key)


def test_public_url_prefers_the_cdn_base(s3_endpoint: str, key: str) -> None:
    cdn = S3ObjectStore(
        BUCKET, region=REGION, endpoint_url=s3_endpoint, public_base_url="https://cdn.example/"
    )
    aws = S3ObjectStore(BUCKET, region="eu-west-1", endpoint_url=None, public_base_url=None)

    assert cdn.public_url(key) == f"https://cdn.example/{key}"
    assert aws.public_url(key) == f"https://{BUCKET}.s3.eu-west-1.amazonaws.com/{key}"
    with pytest.raises(ValueError, match="invalid object key"):
        cdn.public_url("../secrets")


def test_a_server_side_copy_keeps_type_and_caching(
    store: S3ObjectStore, key: str, tmp_path: Path
) -> None:
    upload = tmp_path / "clip.mp4"
    upload.write_bytes(b"spot" * 1000)
    store.put_file(key, upload, content_type="video/mp4")
    copy = key_for_copy(key, str(uuid.uuid4()))

    store.copy(key, copy)
    store.delete(key)

    answer = httpx.get(store.public_url(copy))
    assert answer.content == upload.read_bytes()
    assert answer.headers["content-type"] == "video/mp4"
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
    with pytest.raises(ObjectNotFound):
        store.copy(key, copy)
