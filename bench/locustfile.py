"""A CTV player for locust: ask for an ad break's pod (JSON), then fire each ad's beacons as a
player would.

Each simulated player requests a pod of up to :data:`POD_ADS` ads for a break and plays them in
order: for each ad it fires the impression and ``start`` when the ad begins, the quartiles as it
plays (at a quarter of the ad's duration each), ``complete`` at the end, sometimes a click, and
now and then an error beacon instead of playing. Then it waits for the next break. Now and then
(:data:`ROBOT_RATE`) a crawler fetches an impression URL too, as when a player's logs leak: the
campaign pages show it filtered as invalid traffic.
``BENCH_TIME_SCALE`` compresses every wait (e.g. 0.05 turns a 30 s ad into
1.5 s) so a beacon load test does not take hours.

    locust -f bench/locustfile.py --host http://127.0.0.1:8000 -u 200 -r 20 --headless -t 5m
    BENCH_TIME_SCALE=0.05 locust -f bench/locustfile.py --host ... -u 500 -r 50

Beacon URLs come from the ad response (absolute, signed); they are grouped by event name in
locust's statistics. Each simulated player keeps one advertising id, so the traffic has reach,
and is one device of a CTV platform mix (:data:`DEVICES`: its ``device`` object and User-Agent on
every request), so campaign pages show impressions by platform, in a place of :data:`PLACES`
(``device.geo``), so geo-targeted campaigns and their forecasts have viewers.
``make traffic`` runs it for two minutes against the stack ``make up`` started.
"""

from __future__ import annotations

import os
import random
import time
import uuid
from typing import Any

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

TIME_SCALE = float(os.environ.get("BENCH_TIME_SCALE", "1"))
BREAK_SECONDS = (15, 30, 60, 90, 120)
POD_ADS = 4
QUARTILES = ("firstQuartile", "midpoint", "thirdQuartile")
CLICK_RATE = 0.02
ERROR_RATE = 0.01
ROBOT_RATE = 0.02
ROBOT = {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"}
DEVICES: tuple[tuple[float, dict[str, str], str], ...] = (
    (0.38, {"os": "Roku OS", "make": "Roku"}, "Roku/DVP-12.5 (12.5.0.4142-AE)"),
    (
        0.24,
        {"os": "Fire OS", "make": "Amazon"},
        "Mozilla/5.0 (Linux; Android 9; AFTKA Build/PS7624.3337N; wv)",
    ),
    (
        0.14,
        {"os": "Tizen", "make": "Samsung"},
        "Mozilla/5.0 (SMART-TV; LINUX; Tizen 7.0) AppleWebKit/537.36 TV Safari/537.36",
    ),
    (0.09, {"os": "webOS", "make": "LG"}, "Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36"),
    (
        0.08,
        {"os": "tvOS", "make": "Apple"},
        "AppleCoreMedia/1.0.0.21K69 (Apple TV; U; CPU OS 17_1 like Mac OS X; en_us)",
    ),
    (
        0.07,
        {"os": "Android", "make": "Sony"},
        "Mozilla/5.0 (Linux; Android 12; BRAVIA 4K VH2 Build/STT2.221011.001)",
    ),
)
"""(share of players, OpenRTB device fields, User-Agent): roughly US CTV households' mix."""
PLACES: tuple[tuple[float, dict[str, str]], ...] = (
    (0.30, {"country": "USA", "region": "CA"}),
    (0.25, {"country": "USA", "region": "NY"}),
    (0.20, {"country": "USA", "region": "TX"}),
    (0.15, {"country": "CAN", "region": "ON"}),
    (0.10, {"country": "GBR", "region": "ENG"}),
)
"""(share of players, OpenRTB ``device.geo``: ISO 3166-1 alpha-3 country and region)."""
ERROR_CODES = ((402, 0.45), (405, 0.3), (403, 0.15), (401, 0.1))
"""The VAST errors a player reports instead of playing, by how often (a media timeout most)."""


class CtvPlayer(FastHttpUser):
    """One device: ad request, then impression/start/quartiles/complete with real-time waits."""

    # Time between ad breaks, scaled like every other wait.
    wait_time = between(30 * TIME_SCALE, 120 * TIME_SCALE)

    def on_start(self) -> None:
        self.device_id = str(uuid.uuid4())
        (_, fields, agent), *_ = random.choices(DEVICES, weights=[d[0] for d in DEVICES])
        (_, geo), *_ = random.choices(PLACES, weights=[p[0] for p in PLACES])
        self.device = {"type": "ctv", "ifa": self.device_id, **fields, "geo": geo}
        self.headers = {"User-Agent": agent}

    def _play(self, seconds: float) -> None:
        """Let ``seconds`` of the ad play (locust patches ``time.sleep`` to yield)."""
        time.sleep(seconds * TIME_SCALE)

    def _beacon(self, urls: dict[str, str], event: str) -> None:
        url = urls.get(event)
        if url:  # a click's redirect to the advertiser's page opens on another device: not here
            self.client.get(
                url, name=f"beacon {event}", allow_redirects=False, headers=self.headers
            )

    @task
    def ad_break(self) -> None:
        body: dict[str, Any] = {
            "request_id": uuid.uuid4().hex,
            "duration": random.choice(BREAK_SECONDS),
            "max_ads": POD_ADS,
            "device": self.device,
            "app": {"bundle": "com.example.ctv"},
        }
        with self.client.post(
            "/api/v1/ad-request",
            json=body,
            name="ad-request",
            catch_response=True,
            headers=self.headers,
        ) as answer:
            if answer.status_code == 204:
                answer.success()  # no fill is a valid answer
                return
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code}")
                return
            ads: list[dict[str, Any]] = answer.json()["ads"]
        for ad in ads:
            self._play_ad(ad)

    def _play_ad(self, ad: dict[str, Any]) -> None:
        urls: dict[str, str] = ad.get("tracking", {})
        if random.random() < ERROR_RATE:
            code = random.choices([c for c, _ in ERROR_CODES], [w for _, w in ERROR_CODES])[0]
            error = urls.get("error", "").replace("[ERRORCODE]", str(code))
            if error:
                self.client.get(error, name="beacon error", headers=self.headers)
            return
        duration = float(ad.get("duration", 15))
        self._beacon(urls, "impression")
        if random.random() < ROBOT_RATE and "impression" in urls:
            self.client.get(urls["impression"], name="beacon impression (robot)", headers=ROBOT)
        self._beacon(urls, "start")
        for event in QUARTILES:
            self._play(duration / 4)
            self._beacon(urls, event)
        if random.random() < CLICK_RATE:
            self._beacon(urls, "click")
        self._play(duration / 4)
        self._beacon(urls, "complete")
