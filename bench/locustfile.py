"""A CTV player for locust: ask for an ad break's pod (JSON), then fire each ad's beacons as a
player would.

Each simulated player requests a pod of up to :data:`POD_ADS` ads for a break and plays them in
order: for each ad it fires the impression and ``start`` when the ad begins, the quartiles as it
plays (at a quarter of the ad's duration each), ``complete`` at the end, sometimes a click, and
now and then an error beacon instead of playing. Then it waits for the next break.
``BENCH_TIME_SCALE`` compresses every wait (e.g. 0.05 turns a 30 s ad into
1.5 s) so a beacon load test does not take hours.

    locust -f bench/locustfile.py --host http://127.0.0.1:8000 -u 200 -r 20 --headless -t 5m
    BENCH_TIME_SCALE=0.05 locust -f bench/locustfile.py --host ... -u 500 -r 50

Beacon URLs come from the ad response (absolute, signed); they are grouped by event name in
locust's statistics. Each simulated player keeps one advertising id, so the traffic has reach.
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
VAST_MEDIA_FILE_NOT_FOUND = 401


class CtvPlayer(FastHttpUser):
    """One device: ad request, then impression/start/quartiles/complete with real-time waits."""

    # Time between ad breaks, scaled like every other wait.
    wait_time = between(30 * TIME_SCALE, 120 * TIME_SCALE)

    def on_start(self) -> None:
        self.device_id = str(uuid.uuid4())

    def _play(self, seconds: float) -> None:
        """Let ``seconds`` of the ad play (locust patches ``time.sleep`` to yield)."""
        time.sleep(seconds * TIME_SCALE)

    def _beacon(self, urls: dict[str, str], event: str) -> None:
        url = urls.get(event)
        if url:  # a click's redirect to the advertiser's page opens on another device: not here
            self.client.get(url, name=f"beacon {event}", allow_redirects=False)

    @task
    def ad_break(self) -> None:
        body: dict[str, Any] = {
            "request_id": uuid.uuid4().hex,
            "duration": random.choice(BREAK_SECONDS),
            "max_ads": POD_ADS,
            "device": {"type": "ctv", "ifa": self.device_id, "os": "tvOS"},
            "app": {"bundle": "com.example.ctv"},
        }
        with self.client.post(
            "/api/v1/ad-request", json=body, name="ad-request", catch_response=True
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
            error = urls.get("error", "").replace("[ERRORCODE]", str(VAST_MEDIA_FILE_NOT_FOUND))
            if error:
                self.client.get(error, name="beacon error")
            return
        duration = float(ad.get("duration", 15))
        self._beacon(urls, "impression")
        self._beacon(urls, "start")
        for event in QUARTILES:
            self._play(duration / 4)
            self._beacon(urls, event)
        if random.random() < CLICK_RATE:
            self._beacon(urls, "click")
        self._play(duration / 4)
        self._beacon(urls, "complete")
