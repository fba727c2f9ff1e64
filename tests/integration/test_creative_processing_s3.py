"""A rendition task's S3 path, against moto's S3 server: the original is downloaded from its
public URL, the rendition uploaded next to it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from actors.creative_processor import make_rendition
from ads.renditions import plan_renditions
from cluster.ports import free_port
from media.probe import probe_video
from media.synthetic import write_synthetic_video
from storage.object_store import S3ObjectStore, new_object_key

BUCKET = "creatives-processing"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def store() -> Iterator[S3ObjectStore]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            env.setenv(name, "testing")
        env.delenv("AWS_PROFILE", raising=False)
        server.start()
        endpoint = f"http://127.0.0.1:{port}"
        admin = boto3.client("s3", region_name=REGION, endpoint_url=endpoint)
        admin.create_bucket(Bucket=BUCKET)
        public_read = {
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
        admin.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(public_read))
        try:
            yield S3ObjectStore(BUCKET, region=REGION, endpoint_url=endpoint, public_base_url=None)
        finally:
            server.stop()


def test_rendition_of_an_s3_original_lands_in_s3(store: S3ObjectStore, tmp_path: Path) -> None:
    creative_id = str(uuid.uuid4())
    source = write_synthetic_video(tmp_path / "src.mp4", width=640, height=360, duration_s=2)
    source_key = new_object_key("creatives", creative_id, suffix="source.mp4")
    store.put_file(source_key, source, content_type="video/mp4")
    spec = plan_renditions(640, 360)[0]
    progress: list[float] = []

    record = make_rendition(
        store,
        creative_id=creative_id,
        source_key=source_key,
        spec=spec,
        threads=1,
        on_progress=progress.append,
    )

    assert record["key"].startswith(f"creatives/{creative_id}/")
    assert record["key"].endswith(f"-{spec.name}.mp4")
    assert (record["width"], record["height"]) == (spec.width, spec.height)
    assert (record["mime"], record["codec"]) == ("video/mp4", "h264")
    assert progress[-1] == 1.0
    fetched = httpx.get(store.public_url(record["key"]), timeout=30)
    assert fetched.headers["content-type"] == "video/mp4"
    local = tmp_path / "rendition.mp4"
    local.write_bytes(fetched.content)
    info = probe_video(local, max_bytes=len(fetched.content), max_duration_s=10)
    assert (info.width, info.height) == (spec.width, spec.height)
    assert store.size(record["key"]) == len(fetched.content)
