"""The serving application at ``/``: player-facing decision endpoints and ``/healthz``.

The handler is a plain ``__call__`` over Starlette requests (no FastAPI on the hot path). Every
decision is made in process from the replica's catalog snapshot: no database query and no actor
call per request.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, ValidationError
from ray import serve
from ray.serve import Application
from starlette.datastructures import QueryParams
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from actors.budget_ledger import ensure_budget_ledgers
from actors.impression_sink import ensure_impression_sinks
from ads.ad_info import CODE_PATH, ICON_PATH, PAGE_PATH
from ads.audience import RequestProfile
from ads.catalog import CatalogCampaign
from ads.decision import (
    MAX_AD_DURATION_S,
    MAX_POD_ADS,
    MAX_POD_POSITION,
    REQUEST_ID,
    Decision,
    DecisionRenderer,
    decide_pod,
    new_ad_serving_id,
    no_fill_vast,
    parse_ad_request,
    parse_blocked_categories,
    playable_seconds,
    unfilled_macro,
)
from ads.errors import DomainError, InvalidInput, MethodNotAllowed, PayloadTooLarge
from ads.frequency import (
    HOUSEHOLD_PREFIX,
    cap_holder,
    device_id,
    household_network,
    request_ifa,
    request_ip,
)
from ads.geo import (
    NOWHERE,
    GeoHeaders,
    device_geo,
    most_specific,
    request_places,
    viewer_places,
)
from ads.invalid_traffic import InvalidTrafficFilter, device_agent, is_robot
from ads.networks import client_address, parse_address
from ads.platforms import Platform, device_platform, remembered_platform_of
from ads.priority import Priority
from ads.privacy import DeviceUse, GdprPolicy, GdprScope, openrtb_use, tag_use
from ads.targeting import (
    NO_KEY_VALUES,
    request_app_bundle,
    request_content_categories,
    request_key_values,
)
from ads.tracking import CLICK, IMPRESSION, Beacon, BeaconSigner, BeaconVerifier
from ads.vast import VastVersion, negotiate_version
from ads.vmap import PASSED_ON, AdBreak, ScheduleRequest, ad_breaks, render_vmap
from config.settings import get_settings
from deployments.http_errors import discard_body, error_body, within
from deployments.serving.ad_info import AdInfoPages
from deployments.serving.autoscaling import CPU_METRIC, ProcessCpu
from deployments.serving.beacons import BeaconIngest
from deployments.serving.cors import cors_headers
from deployments.serving.decision_metrics import DecisionMetrics
from deployments.serving.frequency import FrequencyBook
from deployments.serving.gc_tuning import YoungThreshold, tune_gc
from deployments.serving.health import HealthCheck
from deployments.serving.leases import LeaseBook
from deployments.serving.live_catalog import LiveCatalog
from deployments.serving.media import MediaFiles
from storage.catalog import RedisCatalog
from storage.event_stream import EventStream
from storage.exposures import RedisExposures
from storage.inventory import RedisInventory
from storage.redis_client import connect as connect_redis

logger = logging.getLogger(__name__)

MAX_AD_REQUEST_BYTES = 16_384
PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}
VAST_MEDIA_TYPE = "application/xml; charset=utf-8"
NO_STORE = {"Cache-Control": "no-store, max-age=0"}
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

Handler = Callable[[Request], Awaitable[Response]]
_DECISION_ENDPOINTS = {"/api/v1/ad-request": "json", "/api/v1/vast": "vast"}
"""Decision routes → their name in the decision metrics."""


_NO_CONTENT: frozenset[str] = frozenset()
_JSON_HEADERS = [(b"content-type", b"application/json")]
_VAST_HEADERS = [(b"content-type", VAST_MEDIA_TYPE.encode())]


def encoded_response(body: bytes, raw_headers: list[tuple[bytes, bytes]]) -> Response:
    """A 200 with headers encoded once per process (Starlette encodes a dict per response)."""
    response = Response(body)
    response.raw_headers += raw_headers
    return response


def declared_length(request: Request) -> str | None:
    """The Content-Length header as sent, read off the ASGI scope without building Headers."""
    for name, value in request.scope["headers"]:
        if name == b"content-length":
            return str(value, "latin-1")
    return None


async def read_body(request: Request, *, limit: int) -> bytes:
    """The request body straight off the ASGI channel (one message in the usual case; Starlette's
    ``body()`` runs an async generator per request); :class:`PayloadTooLarge` as soon as more than
    ``limit`` bytes arrived, however the body is sent (chunked bodies have no Content-Length)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"ad requests are limited to {limit} bytes")
        if not message.get("more_body", False):
            return b"".join((*chunks, chunk)) if chunks else chunk
        chunks.append(chunk)


def json_response(body: object, status: int = 200) -> Response:
    return Response(
        json.dumps(body, separators=(",", ":")), status_code=status, media_type="application/json"
    )


def error_response(exc: DomainError) -> Response:
    return json_response(exc.to_body(), exc.status_code)


class ServingArgs(BaseModel):
    """Runtime knobs from serve_config.yaml ``args``; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")

    catalog_reload_seconds: float = 5.0
    gc_young_threshold: YoungThreshold | None = None
    """See deployments/serving/gc_tuning.py; None keeps Python's collector as it is."""


@serve.deployment(ray_actor_options={"num_cpus": 0.1}, max_ongoing_requests=256)
class ServingIngress:
    """Routes player requests by path; every per-request step stays in process."""

    async def __init__(  # type: ignore[misc]
        self, catalog_reload_seconds: float = 5.0, gc_young_threshold: int | None = None
    ) -> None:
        settings = get_settings()
        self._redis = connect_redis(settings.require_redis_url())
        catalog = RedisCatalog(
            self._redis, prefix=settings.redis_key_prefix, ttl_seconds=settings.catalog_ttl_seconds
        )
        self._catalog = LiveCatalog(self._redis, catalog, reload_seconds=catalog_reload_seconds)
        await self._catalog.start()
        self._signer = BeaconSigner(
            settings.require_secret("tracking_secret"), base_url=settings.public_base_url
        )
        self._public_base_url = settings.public_base_url.rstrip("/")
        self._rng = random.Random()
        self._edge = GeoHeaders.named(settings.geo_country_header, settings.geo_region_header)
        self._gdpr = GdprPolicy(GdprScope(settings.gdpr_applies), settings.tcf_vendor_id)
        links = settings.ad_info_links()
        self._render = DecisionRenderer(
            self._signer,
            expires_seconds=playable_seconds(settings.impression_max_age_seconds),
            ad_info=links if settings.ad_info_icon else None,
        )
        self._ivt = InvalidTrafficFilter(
            excluded=settings.excluded_networks(),
            trusted=settings.trusted_proxy_networks(),
        )
        if self._ivt.excluded:
            logger.info("excluding beacons from %d IP ranges", self._ivt.excluded.count)
        self._health = HealthCheck(database_url=settings.require_database_url(), redis=self._redis)
        self._media = MediaFiles.from_settings(settings)
        self._beacons = BeaconIngest(
            EventStream(self._redis, key=f"{settings.redis_key_prefix}events"),
            BeaconVerifier(
                settings.require_secret("tracking_secret"),
                previous=settings.previous_tracking_secret(),
            ),
            max_age_seconds=settings.beacon_max_age_seconds,
            impression_max_age_seconds=settings.impression_max_age_seconds,
            spill_limit=settings.beacon_spill_limit,
        )
        ensure_impression_sinks(settings.impression_sinks)
        ledgers = ensure_budget_ledgers(
            settings.ledger_shards,
            ttl_seconds=settings.ledger_ttl_seconds,
            settle_window_seconds=settings.ledger_settle_window_seconds,
        )
        self._leases = LeaseBook(
            uuid.uuid4().hex,
            ledgers=ledgers,
            refill_seconds=settings.lease_refill_seconds,
            wanted=lambda now: self._catalog.index.live(now),
        )
        await self._leases.start()
        self._metrics = DecisionMetrics(
            inventory=RedisInventory(self._redis, prefix=settings.redis_key_prefix)
        )
        self._metrics.start()
        self._frequency = FrequencyBook(
            self._redis,
            RedisExposures(self._redis, prefix=settings.redis_key_prefix),
            max_devices=settings.frequency_max_devices,
        )
        await self._frequency.start()
        self._cpu = ProcessCpu()
        self._routes: dict[str, Handler] = {
            "/api/v1/ad-request": self._ad_request,
            "/api/v1/vast": self._vast,
            "/api/v1/vmap": self._vmap,
            "/api/v1/impression": self._impression,
            "/api/v1/track": self._track,
            "/api/v1/click": self._click,
            "/healthz": self._healthz,
        }
        pages = AdInfoPages(links, lambda campaign_id: self._catalog.index.campaign(campaign_id))
        self._routes[PAGE_PATH] = pages.page
        self._routes[ICON_PATH] = pages.icon
        self._routes[CODE_PATH] = pages.code
        if gc_young_threshold is not None:
            tune_gc(gc_young_threshold)

    async def __del__(self) -> None:
        """Hand unspent budget leases back before the replica goes away."""
        await self._leases.close()
        await self._metrics.close()
        await self._frequency.close()

    def record_autoscaling_stats(self) -> dict[str, float]:
        """Serve's custom autoscaling metrics hook (see deployments/serving/autoscaling.py)."""
        return {CPU_METRIC: self._cpu.sample()}

    async def __call__(self, request: Request) -> Response:
        path: str = request.scope["path"]  # request.url would build a URL object per request
        if path.startswith("/media/"):
            return await self._media(request)
        handler = self._routes.get(path)
        if handler is None:
            response = json_response(error_body("not_found", f"no route for {path}"), 404)
        else:
            try:
                response = await handler(request)
            except PayloadTooLarge as exc:
                await discard_body(request.receive, declared=declared_length(request))
                response = self._refused(path, exc)
            except DomainError as exc:
                response = self._refused(path, exc)
            except Exception:
                logger.exception("unhandled error on %s", path)
                response = json_response(
                    error_body("internal_error", "unexpected server error"), 500
                )
        response.raw_headers += cors_headers(request.scope["headers"])
        return response

    def _refused(self, path: str, exc: DomainError) -> Response:
        endpoint = _DECISION_ENDPOINTS.get(path)
        if endpoint is not None:
            self._metrics.refused(endpoint)
        return error_response(exc)

    async def _ad_request(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=PREFLIGHT)
        if request.method != "POST":
            raise MethodNotAllowed("use POST with a JSON body")
        declared = declared_length(request)
        if declared is not None and not within(declared, MAX_AD_REQUEST_BYTES):
            raise PayloadTooLarge(f"ad requests are limited to {MAX_AD_REQUEST_BYTES} bytes")
        ad_request = parse_ad_request(await read_body(request, limit=MAX_AD_REQUEST_BYTES))
        agent = device_agent(request.scope["headers"])
        described = ad_request.device.get("ua") if ad_request.device else None
        if self._robot("json", described if isinstance(described, str) and described else agent):
            return Response(status_code=204)
        stated = request_places(*device_geo(ad_request.device))
        places = self._places(stated, request)
        ads = self._decide(
            "json",
            request_id=ad_request.request_id,
            max_duration_ms=int(ad_request.duration * 1000),
            max_ads=ad_request.max_ads,
            pod_position=ad_request.pod_position,
            campaign_id=None,
            blocked_categories=ad_request.blocked_categories,
            ifa=request_ifa(ad_request.device),
            household=self._household(request_ip(ad_request.device), request),
            use=openrtb_use(
                ad_request.device, ad_request.regs, ad_request.user, gdpr=self._gdpr, places=places
            ),
            app=ad_request.app.get("bundle") if ad_request.app else None,
            platform=lambda: device_platform(ad_request.device, agent),
            content=ad_request.content.get("cat") if ad_request.content else None,
            keys=ad_request.key_values,
            stated_places=stated,
            places=places,
            vast_tags=ad_request.vast_tags,
        )
        if not ads:
            return Response(status_code=204)
        if ad_request.max_ads == 1:
            body = self._render.json(ads[0])
        else:
            body = self._render.json_pod(ad_request.request_id, ads)
        return encoded_response(body, _JSON_HEADERS)

    async def _vast(self, request: Request) -> Response:
        if request.method == "HEAD":
            return _vast_probe()
        if request.method != "GET":
            raise MethodNotAllowed("use GET")
        params = request.query_params
        max_duration_ms = _max_duration_ms(params.get("max_duration"))
        request_id = _tag_request_id(params.get("request_id"))
        max_ads = _max_ads(params.get("max_ads"))
        pod_position = _pod_position(params.get("pod_position"))
        version = _vast_version(params)
        agent = _player_agent(params.get("ua"), request)
        if self._robot("vast", agent):
            body = no_fill_vast(
                signer=self._signer, request_id=request_id, now=datetime.now(UTC), version=version
            )
            return encoded_response(body.encode(), _VAST_HEADERS)
        stated = request_places(params.get("country"), params.get("region"))
        places = self._places(stated, request)
        ads = self._decide(
            "vast",
            request_id=request_id,
            max_duration_ms=max_duration_ms,
            max_ads=max_ads,
            pod_position=pod_position,
            campaign_id=params.get("campaign_id") or None,
            blocked_categories=_blocked_categories(params.get("blocked_categories")),
            ifa=params.get("ifa"),
            household=self._household(params.get("ip"), request),
            use=tag_use(params, gdpr=self._gdpr, places=places),
            app=params.get("app_bundle"),
            platform=lambda: remembered_platform_of(user_agent=agent),
            content=params.get("content_cat"),
            keys=params.get("cust_params"),
            stated_places=stated,
            places=places,
            vast_tags=True,  # a VAST player follows Wrappers
        )
        if not ads:
            body = no_fill_vast(
                signer=self._signer, request_id=request_id, now=datetime.now(UTC), version=version
            )
        elif max_ads == 1:
            body = self._render.vast(ads[0], version)
        else:
            body = self._render.vast_pod(ads, version)
        return encoded_response(body.encode(), _VAST_HEADERS)

    async def _vmap(self, request: Request) -> Response:
        """A programme's ad schedule (ads/vmap.py): each break our VAST tag for a pod within
        the break's length, with the request's targeting parameters handed on."""
        if request.method == "HEAD":
            return _vast_probe()
        if request.method != "GET":
            raise MethodNotAllowed("use GET")
        params = request.query_params
        try:
            schedule = ScheduleRequest.model_validate(dict(params))
        except ValidationError as exc:
            raise InvalidInput.of("invalid ad schedule", exc, whole="query") from exc
        request_id = schedule.request_id or new_ad_serving_id()
        passed_on = {name: params[name] for name in PASSED_ON if params.get(name)}
        tag = f"{self._public_base_url}/api/v1/vast?"

        def tag_url(ad_break: AdBreak) -> str:
            query = {
                "max_duration": str(schedule.break_duration),
                "max_ads": str(schedule.max_ads),
                "request_id": f"{request_id}-{ad_break.break_id}",
                **passed_on,
            }
            return tag + urlencode(query, safe=",[]")

        body = render_vmap(ad_breaks(schedule), tag_url)
        return encoded_response(body.encode(), _VAST_HEADERS)

    def _robot(self, endpoint: str, agent: str | None) -> bool:
        """Whether the device asking (its User-Agent ``agent``) is a self-declared robot, which
        gets no ad (counted apart under ``endpoint``)."""
        if agent is None or not is_robot(agent):
            return False
        self._metrics.robot(endpoint)
        return True

    def _decide(
        self,
        endpoint: str,
        *,
        request_id: str,
        max_duration_ms: int | None,
        max_ads: int,
        pod_position: int,
        campaign_id: str | None,
        blocked_categories: frozenset[str],
        ifa: object,
        household: Callable[[], str | None],
        use: DeviceUse,
        app: object,
        platform: Callable[[], Platform | None],
        content: object,
        keys: object,
        stated_places: frozenset[str],
        places: Callable[[], frozenset[str]],
        vast_tags: bool,
    ) -> list[Decision]:
        """One ad (``max_ads`` 1) or an ad pod (its first ad in the break's slot
        ``pod_position``), each ad paid from this replica's budget leases
        and within the frequency caps of the device ``ifa`` names (as the player sent it) or of
        its ``household`` (read only while some campaign caps households), whose device
        key the beacons carry for reach (each only as far as the request's privacy signals
        ``use`` allow, which also keep child-directed requests from campaigns that exclude
        them), from campaigns that run in the ``app`` it names, on
        the device's ``platform`` (read only while some campaign targets platforms), in the
        ``content`` categories and the publisher's ``keys`` (key-values) it names (as the
        player sent them) and the viewer's places
        (``places``, read only while some campaign targets places; the ``stated_places`` go on
        the beacons), third-party
        VAST tags only with ``vast_tags``; empty when nothing fits. Counted in the decision
        metrics under ``endpoint``; one in :data:`ads.audience.SAMPLE_EVERY` is sampled for
        targeted forecasts."""
        now = datetime.now(UTC)
        index = self._catalog.index
        named = device_id(ifa)
        # Caps are checked only while some campaign in the snapshot has one.
        device = named if use.caps and index.frequency_capped else None
        home = household() if use.caps and index.household_capped else None
        counted = device is not None or home is not None
        stamp = now.timestamp() if counted else 0.0
        capped = False

        def covered(campaign: CatalogCampaign) -> bool:
            nonlocal capped
            if not self._leases.covers(campaign, now):
                return False
            if not counted:
                return True
            holder = cap_holder(campaign.frequency_cap, device, home)
            if holder is None or self._frequency.allows(holder, campaign, stamp):
                return True
            capped = True
            return False

        ads = decide_pod(
            index,
            request_id=request_id,
            max_duration_ms=max_duration_ms,
            max_ads=max_ads,
            now=now,
            rng=self._rng,
            signer=self._signer,
            campaign_id=campaign_id,
            accept=covered,
            pod_position=pod_position,
            blocked_categories=blocked_categories,
            device=None if named is None or not use.reach else self._signer.device_key(named),
            place=most_specific(stated_places) if stated_places else None,
            app=request_app_bundle(app) if index.app_targeted else None,
            platform=platform() if index.platform_targeted else None,
            content=request_content_categories(content) if index.content_targeted else _NO_CONTENT,
            geo=places() if index.geo_targeted else NOWHERE,
            keys=request_key_values(keys) if index.key_targeted else NO_KEY_VALUES,
            child_directed=use.child_directed,
            vast_tags=vast_tags,
        )
        if self._metrics.sampling():
            self._metrics.sampled(
                RequestProfile(
                    app=request_app_bundle(app),
                    platform=platform(),
                    content=request_content_categories(content),
                    geo=places(),
                )
            )
        for decision in ads:
            self._leases.spend(decision.campaign, now)
        if counted:
            for known in (device, home):
                if known is not None:
                    self._frequency.seen(known)
            for decision in ads:
                holder = cap_holder(decision.campaign.frequency_cap, device, home)
                if holder is not None:
                    self._frequency.served(holder, decision.campaign, stamp, decision.ad_serving_id)
        house = sum(d.campaign.priority is Priority.HOUSE for d in ads) if index.house else 0
        self._metrics.served(endpoint, len(ads), capped=capped, house_ads=house, limited=use.limit)
        return ads

    def _household(self, stated: object, request: Request) -> Callable[[], str | None]:
        """The key of the household ``request`` comes from, when asked: by the address the
        player ``stated`` (OpenRTB ``device.ip``, the tag's ``ip``), else the device's address
        (``X-Device-IP``, else the connection through the trusted proxies); None for an address
        no home is known by. Only a keyed hash of the home's network is kept."""

        def key() -> str | None:
            address = parse_address(stated) if isinstance(stated, str) and stated else None
            if address is None:
                headers = request.scope["headers"]
                address = client_address(headers, _peer(request), self._ivt.trusted)
            network = household_network(address)
            if network is None:
                return None
            return HOUSEHOLD_PREFIX + self._signer.device_key(f"household {network}")

        return key

    def _places(self, stated: frozenset[str], request: Request) -> Callable[[], frozenset[str]]:
        """Where the viewer of ``request`` is, when asked: the ``stated`` places, else the ones
        the edge's headers give."""
        return lambda: viewer_places(stated, self._edge, request.scope["headers"])

    async def _beacon(self, request: Request, *, expect: str | None) -> Beacon:
        """Verify and record the beacon of ``request``; ``expect`` pins the event of the path."""
        if request.method not in ("GET", "POST"):
            raise MethodNotAllowed("use GET or POST")
        beacon = self._beacons.verify(request.query_params, now=time.time())
        if expect is not None and beacon.event != expect:
            self._beacons.reject("wrong_endpoint")
            raise InvalidInput(f"a {beacon.event} beacon does not belong on this endpoint")
        if expect is None and beacon.event in (IMPRESSION, CLICK):
            self._beacons.reject("wrong_endpoint")
            raise InvalidInput(f"send {beacon.event} beacons to /api/v1/{beacon.event}")
        headers = request.scope["headers"]
        agent = device_agent(headers)
        await self._beacons.record(
            beacon,
            received_at_ms=int(time.time() * 1000),
            user_agent=agent,
            place=beacon.place or self._edge.place(headers),
            invalid=self._ivt.reason(headers, agent, _peer(request)),
        )
        return beacon

    async def _impression(self, request: Request) -> Response:
        await self._beacon(request, expect=IMPRESSION)
        return _pixel(request)

    async def _track(self, request: Request) -> Response:
        await self._beacon(request, expect=None)
        return _pixel(request)

    async def _click(self, request: Request) -> Response:
        beacon = await self._beacon(request, expect=CLICK)
        campaign = self._catalog.index.campaign(beacon.campaign_id)
        if campaign is not None and campaign.click_through_url:
            return Response(
                status_code=302,
                headers={**NO_STORE, "Location": campaign.click_through_url},
            )
        return Response(status_code=204, headers=NO_STORE)

    async def _healthz(self, request: Request) -> Response:
        report = await self._health.report()
        report["catalog"] = f"ok ({self._catalog.age_seconds:.1f}s old)"
        healthy = all(v.startswith("ok") for v in report.values())
        status = "ok" if healthy else "unavailable"
        return json_response({"status": status, "checks": report}, 200 if healthy else 503)


def _vast_probe() -> Response:
    """The answer to a HEAD of the VAST or VMAP tag (a link check, a monitor): its type, and no
    decision made (nothing counted, no budget held) for a document nobody will read."""
    response = Response()
    response.raw_headers = list(_VAST_HEADERS)  # no Content-Length: there is no document
    return response


def _peer(request: Request) -> str | None:
    """The address of the connection's other end (a proxy, or the device)."""
    client = request.scope.get("client")
    return client[0] if client else None


def _pixel(request: Request) -> Response:
    """GET beacons get a 1x1 GIF (image tags expect one); POST beacons get 204."""
    if request.method == "POST":
        return Response(status_code=204, headers=NO_STORE)
    return Response(PIXEL_GIF, media_type="image/gif", headers=NO_STORE)


def _tag_request_id(raw: str | None) -> str:
    """The request id a VAST tag names (as the JSON request's: it rides on every beacon), or
    a new one when it names none."""
    if not raw:
        return new_ad_serving_id()
    try:
        return REQUEST_ID.validate_python(raw)
    except ValidationError as exc:
        raise InvalidInput.of("invalid request_id", exc, whole="request_id") from exc


def _max_duration_ms(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        seconds = float(raw)
    except ValueError:
        raise InvalidInput(f"max_duration must be a number of seconds, got {raw[:40]!r}") from None
    if not 0 < seconds <= MAX_AD_DURATION_S:
        raise InvalidInput(f"max_duration must be between 0 and {MAX_AD_DURATION_S} seconds")
    return int(seconds * 1000)


def _vast_version(params: QueryParams) -> VastVersion:
    """``vast_version`` as asked, else the newest the player's ``vast_versions`` lists."""
    try:
        return negotiate_version(params.get("vast_version"), params.get("vast_versions"))
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def _max_ads(raw: str | None) -> int:
    return _whole_number(raw, name="max_ads", highest=MAX_POD_ADS)


def _pod_position(raw: str | None) -> int:
    """The tag's ``pod_position``: the break's slot its (first) ad fills; the first when not
    given or left an unfilled macro (a server that does not know the slot)."""
    if raw is not None and unfilled_macro(raw):
        return 1
    return _whole_number(raw, name="pod_position", highest=MAX_POD_POSITION)


def _whole_number(raw: str | None, *, name: str, highest: int) -> int:
    """A tag's number ``name`` from 1 to ``highest``; 1 when not given."""
    if raw is None or raw == "":
        return 1
    if len(raw) <= 3 and raw.isascii() and raw.isdigit() and 1 <= int(raw) <= highest:
        return int(raw)
    raise InvalidInput(f"{name} must be a whole number from 1 to {highest}, got {raw[:40]!r}")


def _blocked_categories(raw: str | None) -> frozenset[str]:
    """The VAST tag's ``blocked_categories``: comma-separated IAB codes (``IAB8-5,IAB26``)."""
    if not raw or unfilled_macro(raw):
        return frozenset()
    try:
        return parse_blocked_categories(raw.split(","))
    except ValueError as exc:
        raise InvalidInput(f"blocked_categories: {exc}") from None


def _player_agent(named: str | None, request: Request) -> str | None:
    """The player's User-Agent for a VAST request: the tag's ``ua`` (``named``: the IAB
    ``[DEVICEUA]`` macro, which a server fetching ads for a player fills) before the
    ``X-Device-User-Agent`` such a server may send, before the request's own."""
    if named and not unfilled_macro(named):
        return named
    return device_agent(request.scope["headers"])


def build_app(args: dict[str, object]) -> Application:
    """Serve builder named by serve_config.yaml (``deployments.serving.app:build_app``)."""
    knobs = ServingArgs.model_validate(args)
    app: Application = ServingIngress.bind(  # type: ignore[attr-defined]
        catalog_reload_seconds=knobs.catalog_reload_seconds,
        gc_young_threshold=knobs.gc_young_threshold,
    )
    return app
