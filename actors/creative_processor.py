"""CreativeProcessor: turns a stored upload into CTV renditions, one Ray task per rendition.

The named detached actor owns the workflow and the creative's row: it plans the ladder, runs
the encodes as tasks (each reserving ``TRANSCODE_CPUS`` CPUs and using as many encoder
threads), turns their progress reports into the creative's ``progress``, records the renditions
(``active``) or the reason (``failed``) with an entry in the campaign's history (a failure is
news for the webhook), and writes the campaign through to the Redis catalog.
Creatives left ``processing`` (a restart, an unreachable actor) are picked up by a periodic
sweep that also runs at start.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import ray
from ray.exceptions import RayTaskError
from redis.exceptions import RedisError

from ads.creatives import CreativeStatus
from ads.errors import DomainError
from ads.history import AD_SERVER, Action, processed_changes
from ads.loudness import UNCHANGED, Normalization, normalization
from ads.renditions import RenditionSpec, plan_renditions
from config.settings import get_settings
from media.loudness import measure_loudness
from media.transcode import ProgressCallback, transcode
from storage import campaign_history
from storage import creatives as repo
from storage.catalog import RedisCatalog
from storage.catalog_publisher import CatalogPublisher
from storage.db import create_engine, session_factory
from storage.models import Creative
from storage.object_store import (
    LocalObjectStore,
    ObjectStore,
    build_object_store,
    new_object_key,
)
from storage.redis_client import connect as connect_redis

logger = logging.getLogger(__name__)

ACTOR_NAME = "creative-processor"
NAMESPACE = "ctv"
_REPORT_EVERY_S = 0.5
_MAX_ERROR_CHARS = 500
_DOWNLOAD_CHUNK = 1 << 20


def make_rendition(
    store: ObjectStore,
    *,
    creative_id: str,
    source_key: str,
    spec: RenditionSpec,
    threads: int,
    gain: Normalization = UNCHANGED,
    on_progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Encode ``spec`` from the stored original (its audio scaled by ``gain``), store it under a
    new key, return its record.

    The record has the keys the catalog reads: ``name, key, width, height, bitrate_kbps,
    mime, codec``; the gain (``gain_db, gain_limited_by``) and the loudness measured off the
    file (``loudness_lufs, true_peak_dbtp``).
    A local store's original is read in place; any other store's is downloaded from its
    public URL to a temporary file first.
    """
    with tempfile.TemporaryDirectory(prefix="ctv-rendition-") as work:
        source = _local_source(store, source_key, Path(work))
        output = Path(work) / f"{spec.name}.mp4"
        info = transcode(
            source, output, spec, on_progress=on_progress, threads=threads, gain_db=gain.gain_db
        )
        loudness = measure_loudness(output)
        key = new_object_key("creatives", creative_id, suffix=f"{spec.name}.mp4")
        store.put_file(key, output, content_type=info.mime)
    return {
        "name": spec.name,
        "key": key,
        "width": info.width,
        "height": info.height,
        "bitrate_kbps": info.bitrate_kbps,
        "mime": info.mime,
        "codec": info.video_codec,
        "gain_db": gain.gain_db,
        "gain_limited_by": gain.limited_by,
        "loudness_lufs": loudness.integrated_lufs,
        "true_peak_dbtp": loudness.true_peak_dbtp,
    }


@dataclass(frozen=True, slots=True)
class RenditionJob:
    """What one rendition task makes: ``spec`` of the creative's original at ``source_key``,
    its audio scaled by ``gain`` (ads/loudness.py)."""

    creative_id: str
    source_key: str
    spec: RenditionSpec
    threads: int
    gain: Normalization = UNCHANGED


def encode_rendition(job: RenditionJob, reporter: Any) -> dict[str, Any]:
    """Ray task body: :func:`make_rendition` on the configured store, reporting progress to
    ``reporter`` (the processor's handle) at most every half second."""
    last_report = 0.0

    def report(fraction: float) -> None:
        nonlocal last_report
        now = time.monotonic()
        if now - last_report >= _REPORT_EVERY_S:
            last_report = now
            reporter.report_progress.remote(job.creative_id, job.spec.name, fraction)

    return make_rendition(
        build_object_store(get_settings()),
        creative_id=job.creative_id,
        source_key=job.source_key,
        spec=job.spec,
        threads=job.threads,
        gain=job.gain,
        on_progress=report,
    )


def _local_source(store: ObjectStore, key: str, directory: Path) -> Path:
    if isinstance(store, LocalObjectStore):
        return store.path_of(key)
    target = directory / "source.mp4"
    with (
        httpx.stream("GET", store.public_url(key), timeout=60, follow_redirects=True) as answer,
        target.open("wb") as file,
    ):
        answer.raise_for_status()
        for chunk in answer.iter_bytes(_DOWNLOAD_CHUNK):
            file.write(chunk)
    return target


@dataclass(slots=True)
class _Progress:
    """Overall progress of one creative; each rendition weighs as much as its pixel count."""

    weights: dict[str, int]
    done: dict[str, float] = field(default_factory=dict)
    reported: float = 0.0

    def advance(self, rendition: str, fraction: float) -> float | None:
        """The new overall fraction if it moved on by at least 1 % since the last one given.

        Stays below 1.0: a creative is complete only once its renditions are recorded.
        """
        if rendition not in self.weights:
            return None
        self.done[rendition] = max(self.done.get(rendition, 0.0), min(fraction, 1.0))
        total = sum(self.weights[name] * done for name, done in self.done.items())
        overall = min(total / sum(self.weights.values()), 0.99)
        if overall - self.reported < 0.01:
            return None
        self.reported = overall
        return overall


class CreativeProcessor:
    """Processes submitted creatives (a repeat is ignored while one runs); rebuilds everything
    from settings, so a restart loses nothing but the encodes in flight."""

    async def __init__(self, sweep_interval_seconds: float = 30.0) -> None:  # type: ignore[misc]
        settings = get_settings()
        self._cpus = settings.transcode_cpus
        self._loudness = settings.loudness_policy()
        self._engine = create_engine(settings.require_database_url(), pool_size=2)
        self._sessions = session_factory(self._engine)
        self._store = build_object_store(settings)
        self._redis = connect_redis(settings.require_redis_url())
        self._publisher = CatalogPublisher(
            sessions=self._sessions,
            catalog=RedisCatalog(
                self._redis,
                prefix=settings.redis_key_prefix,
                ttl_seconds=settings.catalog_ttl_seconds,
            ),
            media_url=self._store.public_url,
        )
        self._encode = ray.remote(encode_rendition)
        self._jobs: dict[uuid.UUID, asyncio.Task[None]] = {}
        self._progress: dict[uuid.UUID, _Progress] = {}
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep(sweep_interval_seconds))

    async def submit(self, creative_id: str) -> None:
        """Start processing ``creative_id`` unless it already runs (returns at once)."""
        self._start(uuid.UUID(creative_id))

    async def report_progress(self, creative_id: str, rendition: str, fraction: float) -> None:
        """Called by rendition tasks; stores the creative's overall progress as it advances."""
        key = uuid.UUID(creative_id)
        progress = self._progress.get(key)
        overall = progress.advance(rendition, fraction) if progress else None
        if overall is not None:
            async with self._sessions() as session:
                await repo.set_progress(session, key, overall)
                await session.commit()

    def _start(self, creative_id: uuid.UUID) -> None:
        if creative_id in self._jobs:
            return
        job = asyncio.get_running_loop().create_task(self._process(creative_id))
        self._jobs[creative_id] = job
        job.add_done_callback(lambda _: self._jobs.pop(creative_id, None))

    async def _sweep(self, interval: float) -> None:
        while True:
            try:
                async with self._sessions() as session:
                    pending = await repo.processing_ids(session)
                for creative_id in pending:
                    self._start(creative_id)
            except Exception:
                logger.exception("sweep for processing creatives failed")
            await asyncio.sleep(interval)

    async def _process(self, creative_id: uuid.UUID) -> None:
        try:
            async with self._sessions() as session:
                creative = await repo.get(session, creative_id)
            if (
                creative is not None
                and creative.status == CreativeStatus.PROCESSING
                and creative.file_key is not None  # a VAST tag has no file to encode
            ):
                await self._encode_all(creative, creative.file_key)
        except Exception:
            logger.exception("processing creative %s failed; the sweep retries it", creative_id)

    async def _encode_all(self, creative: Creative, source_key: str) -> None:
        specs = plan_renditions(
            creative.width, creative.height, bitrate_kbps=creative.bitrate_kbps or 0
        )
        self._progress[creative.id] = _Progress({s.name: s.width * s.height for s in specs})
        reporter = ray.get_runtime_context().current_actor
        gain = normalization(repo.upload_loudness(creative), self._loudness)
        tasks = [
            self._encode.options(num_cpus=self._cpus).remote(
                RenditionJob(str(creative.id), source_key, spec, self._cpus, gain), reporter
            )
            for spec in specs
        ]
        try:
            outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            self._progress.pop(creative.id, None)
        renditions = [o for o in outcomes if isinstance(o, dict)]
        failures = [o for o in outcomes if isinstance(o, BaseException)]
        reason = _failure_reason(failures[0]) if failures else None
        async with self._sessions() as session:
            if reason is not None:
                changed = await repo.fail(session, creative.id, error=reason)
            else:
                changed = await repo.activate(session, creative.id, renditions=renditions)
            if changed:
                await campaign_history.record(
                    session,
                    campaign_id=creative.campaign_id,
                    actor=AD_SERVER,
                    action=Action.CREATIVE_PROCESSED,
                    changes=processed_changes(
                        creative.name,
                        renditions=len(renditions),
                        error=reason,
                        loudness=_loudness_change(creative, renditions),
                    ),
                )
            await session.commit()
        if failures or not changed:
            for rendition in renditions:
                await asyncio.to_thread(self._store.delete, rendition["key"])
        if changed:
            await self._write_through(creative.campaign_id)
        logger.info(
            "creative %s: %s",
            creative.id,
            "failed" if failures else f"{len(renditions)} renditions" if changed else "gone",
        )

    async def _write_through(self, campaign_id: uuid.UUID) -> None:
        try:
            await self._publisher.publish_campaign(campaign_id)
        except (RedisError, OSError):
            logger.warning("catalog write-through failed for %s; the sync repairs it", campaign_id)


def _loudness_change(
    creative: Creative, renditions: list[dict[str, Any]]
) -> tuple[float, float] | None:
    """The upload's loudness and the loudest rendition's, where both were measured and there
    is sound."""
    heard = [r["loudness_lufs"] for r in renditions if r.get("loudness_lufs") is not None]
    source = repo.upload_loudness(creative)
    if source is None or source.silent or not heard:
        return None
    return source.integrated_lufs, max(heard)


def _failure_reason(error: BaseException) -> str:
    cause = error.cause if isinstance(error, RayTaskError) else error
    if isinstance(cause, DomainError):
        return cause.message[:_MAX_ERROR_CHARS]
    return f"A rendition could not be made: {type(cause).__name__}: {cause}"[:_MAX_ERROR_CHARS]


def ensure_creative_processor() -> Any:
    """The running CreativeProcessor actor, created (detached, restartable) if there is none."""
    return (
        ray.remote(CreativeProcessor)
        .options(
            name=ACTOR_NAME,
            namespace=NAMESPACE,
            lifetime="detached",
            get_if_exists=True,
            max_restarts=-1,
            max_task_retries=-1,
            num_cpus=0,
        )
        .remote()
    )


def submit_processing(creative_id: uuid.UUID) -> None:
    """Queue a stored creative for its renditions; fire-and-forget (blocks on the actor lookup)."""
    ensure_creative_processor().submit.remote(str(creative_id))
