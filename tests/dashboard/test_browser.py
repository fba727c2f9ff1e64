"""The dashboard in a real browser (Debian's chromium driven by Playwright) against the stack.

The tests below run in file order as one marketer's session: log in, create a campaign, activate
it, upload a generated MP4 by the drop zone, read the VAST tag, request it and fire its beacons,
then find the impression on the Analytics page; last, add a viewer to the team, who logs in to
a dashboard without the campaign tools. Each page's load time (navigation until its main
content is visible) is measured; screenshots go to test-artifacts/screenshots/ and, with
UPDATE_DOC_SCREENSHOTS=1, the main ones to docs/screenshots/ for the README.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from playwright.sync_api import Page, ViewportSize, sync_playwright

from cluster.ports import free_port
from cluster.ray_head import stop_process_group
from media.synthetic import write_synthetic_video
from tests.dashboard.helpers import TAG_MACROS
from tests.integration.factories import client_of, new_user
from tests.stack_fixtures import ADMIN_EMAIL, ADMIN_PASSWORD, Stack

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO / "test-artifacts"
DOC_SCREENSHOTS = REPO / "docs" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}
LOAD_GOAL_SECONDS = 2.0
SAMPLES = 3
# Above this load average per core the machine is oversubscribed and timings are not judged.
OVERLOADED_PER_CORE = 4.0
VAST_NS = {"v": "http://www.iab.com/VAST"}

# The element that shows each page's main content has arrived.
MAIN = {
    "login": ".st-key-login",
    "home": ".st-key-home-metrics",
    "campaigns": ".st-key-campaign-table",
    "new-campaign": ".st-key-campaign-form",
    "campaign": ".st-key-campaign-detail",
    "analytics": ".st-key-analytics-table",
    "team": ".st-key-team-table",
    "reviews": ".st-key-review-queue",
}


@dataclass
class Session:
    """What the ordered tests hand on to each other."""

    page: Page
    url: str
    stack: Stack
    load_times: dict[str, list[float]] = field(default_factory=dict)
    campaign_id: str = ""
    campaign_name: str = ""
    vast_tag: str = ""


@pytest.fixture(scope="module")
def dashboard_url(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``streamlit run dashboard/app.py`` on a free port with the stack's settings."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard/app.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=REPO,
            env=stack.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/_stcore/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        stop_process_group(proc.pid)


@pytest.fixture(scope="module")
def session(stack: Stack, dashboard_url: str) -> Iterator[Session]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=VIEWPORT).new_page()
        page.set_default_timeout(30_000)
        state = Session(page=page, url=dashboard_url, stack=stack)
        yield state
        _write_load_times(state.load_times)
        browser.close()


def _settled(page: Page) -> None:
    """Wait until Streamlit has finished running the page's script."""
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")


def _charts_drawn(page: Page) -> None:
    """Wait until no placeholder is left and every Plotly chart has drawn."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stSkeleton]') &&"
        " [...document.querySelectorAll('[data-testid=stPlotlyChart]')]"
        ".every(chart => chart.querySelector('.main-svg'))"
    )


def timed(
    session: Session, name: str, navigate: Callable[[], object], *, page: Page | None = None
) -> float:
    """Run ``navigate`` and time it until page ``name``'s main content is visible."""
    page = page or session.page
    start = time.perf_counter()
    navigate()
    page.locator(MAIN[name]).first.wait_for(state="visible")
    elapsed = time.perf_counter() - start
    session.load_times.setdefault(name, []).append(round(elapsed, 3))
    _settled(page)
    return elapsed


def screenshot(page: Page, name: str, *, for_docs: bool = False) -> None:
    """The whole page (Streamlit scrolls inside its main block, so grow the viewport first)."""
    _settled(page)
    _charts_drawn(page)
    height = page.evaluate(
        "() => document.querySelector('[data-testid=stMain]')?.scrollHeight ?? 900"
    )
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(max(900, height), 4000)})
    page.wait_for_timeout(500)
    _charts_drawn(page)
    targets = [ARTIFACTS / "screenshots"]
    if for_docs and os.environ.get("UPDATE_DOC_SCREENSHOTS") == "1":
        targets.append(DOC_SCREENSHOTS)
    for target in targets:
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / f"{name}.png"))
    page.set_viewport_size(VIEWPORT)


def open_page(session: Session, link: str, name: str) -> float:
    """Go to a page by its sidebar link, timed."""
    sidebar_link = session.page.get_by_test_id("stSidebarNav").get_by_role("link", name=link)
    return timed(session, name, sidebar_link.click)


def _write_load_times(load_times: dict[str, list[float]]) -> None:
    if not load_times:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    report = {
        name: {"samples_s": s, "median_s": statistics.median(s)} for name, s in load_times.items()
    }
    (ARTIFACTS / "page-load-times.json").write_text(json.dumps(report, indent=2) + "\n")
    print("\npage load times (navigation until main content visible):")
    for name, entry in report.items():
        print(f"  {name:<13} median {entry['median_s']:.2f} s  samples {entry['samples_s']}")


def test_login_then_home(session: Session) -> None:
    page = session.page
    timed(session, "login", lambda: page.goto(session.url))
    screenshot(page, "login", for_docs=True)
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_role("textbox", name="Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Wrong email or password.").wait_for()
    page.get_by_role("textbox", name="Password").fill(ADMIN_PASSWORD)
    timed(session, "home", lambda: page.get_by_role("button", name="Log in").click())
    screenshot(page, "home-first-login")


def test_create_campaign_in_the_form(session: Session) -> None:
    page = session.page
    open_page(session, "New campaign", "new-campaign")
    session.campaign_name = f"Browser launch {uuid.uuid4().hex[:6]}"
    page.get_by_role("textbox", name="Name").fill(session.campaign_name)
    page.get_by_role("textbox", name="Description").fill("Created by the browser test")
    page.get_by_label("Total budget ($)").fill("2500")
    page.get_by_label("CPM ($ per 1,000 impressions)").fill("20")
    page.get_by_label("Click-through URL (optional)").fill("https://example.com/launch")
    # As fast as possible: even pacing may allow only an impression or two in the first minutes
    # (a ledger started near the end of a 15-minute bucket), and the later tests fetch ads.
    page.get_by_text("As fast as possible").click()
    screenshot(page, "new-campaign", for_docs=True)
    timed(session, "campaign", lambda: page.get_by_role("button", name="Create campaign").click())
    page.get_by_role("heading", name=session.campaign_name).wait_for()
    session.campaign_id = page.url.split("id=", 1)[1].split("&", 1)[0]
    uuid.UUID(session.campaign_id)


def test_activate_and_read_the_vast_tag(session: Session) -> None:
    page = session.page
    page.get_by_role("button", name="Activate").click()
    tag = page.locator(".st-key-vast-tag code")
    tag.wait_for()
    session.vast_tag = tag.inner_text().strip()
    public = session.stack.env["PUBLIC_BASE_URL"]
    tag_query = f"campaign_id={session.campaign_id}&{TAG_MACROS}"
    assert session.vast_tag == f"{public}/api/v1/vast?{tag_query}"
    assert page.get_by_role("link", name="Test tag").get_attribute("href") == session.vast_tag


def test_upload_a_creative_by_drag_and_drop(
    session: Session, api: httpx.Client, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page = session.page
    if api.get(f"/campaigns/{session.campaign_id}/creatives").status_code == 404:
        pytest.skip("the creatives API (issue 3) is not deployed")
    video = write_synthetic_video(
        tmp_path_factory.mktemp("browser-media") / "launch-spot.mp4",
        width=640,
        height=360,
        duration_s=6,
    )
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(video))
    page.get_by_role("textbox", name="Creative name").fill("Launch spot 6s")
    page.get_by_role("button", name="Upload creative").click()
    page.get_by_text("“Launch spot 6s” is ready").wait_for(timeout=120_000)
    card = page.locator("[class*='st-key-creative-']").first
    card.locator("video").wait_for()
    assert "640x360" in card.inner_text()
    screenshot(page, "campaign", for_docs=True)


def test_caption_the_creative(
    session: Session, api: httpx.Client, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page = session.page
    srt = tmp_path_factory.mktemp("browser-captions") / "launch-spot.srt"
    srt.write_text("1\n00:00:00,500 --> 00:00:04,000\nA launch worth watching.\n")
    card = page.locator("[class*='st-key-creative-']").first
    card.get_by_text("Captions (0)").click()
    card.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(srt))
    card.get_by_role("textbox", name="Language").fill("en-us")
    card.get_by_role("button", name="Upload captions").click()
    page.get_by_text("CC en-US").wait_for()
    card.locator("video track").wait_for(state="attached")  # the preview plays them
    (creative,) = api.get(f"/campaigns/{session.campaign_id}/creatives").json()["creatives"]
    (captions,) = creative["captions"]
    assert (captions["language"], captions["source_format"], captions["cues"]) == (
        "en-US",
        "srt",
        1,
    )
    assert httpx.get(captions["url"]).text.startswith("WEBVTT\n\n1\n00:00:00.500 --> ")


def test_every_page_loads_within_the_goal(session: Session) -> None:
    page = session.page
    pages = [
        ("Home", "home"),
        ("Campaigns", "campaigns"),
        ("New campaign", "new-campaign"),
        ("Analytics", "analytics"),
    ]
    for _ in range(SAMPLES):
        for link, name in pages:
            open_page(session, link, name)
        open_page(session, "Campaigns", "campaigns")
        details = page.locator(".st-key-campaign-table").get_by_role(
            "link", name=session.campaign_name
        )
        timed(session, "campaign", details.click)
    open_page(session, "Campaigns", "campaigns")
    screenshot(page, "campaigns", for_docs=True)
    for _ in range(SAMPLES - 1):  # a returning marketer's new tab: assets cached, new session
        tab = page.context.new_page()
        timed(session, "login", partial(tab.goto, session.url), page=tab)
        tab.close()

    medians = {name: statistics.median(s) for name, s in session.load_times.items()}
    slow = {name: m for name, m in medians.items() if m >= LOAD_GOAL_SECONDS}
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    if slow and load > OVERLOADED_PER_CORE * cores:
        pytest.skip(
            f"timings not judged: load average {load:.1f} on {cores} cores; "
            f"slow medians {slow} (all samples in test-artifacts/page-load-times.json)"
        )
    assert not slow, f"pages slower than {LOAD_GOAL_SECONDS} s (median): {slow}"


def _filled_vast(url: str) -> ElementTree.Element:
    """The VAST document of ``url`` once it holds an ad (within 10 s): a replica may be between
    two budget leases of a small campaign for a moment."""
    deadline = time.monotonic() + 10
    while True:
        answer = httpx.get(url, timeout=30)
        assert answer.status_code == 200, answer.text
        root = ElementTree.fromstring(answer.content)
        if root.find("v:Ad", VAST_NS) is not None:
            return root
        assert time.monotonic() < deadline, f"no ad from {url}: {answer.text}"
        time.sleep(0.1)


def test_vast_request_and_beacons_reach_analytics(session: Session) -> None:
    page = session.page
    root = _filled_vast(session.vast_tag)
    impression = (root.findtext(".//v:Impression", namespaces=VAST_NS) or "").strip()
    beacons = [impression] + [
        (t.text or "").strip()
        for t in root.iterfind(".//v:Tracking", VAST_NS)
        if t.get("event") in {"start", "complete"}
    ]
    for url in beacons:
        assert httpx.get(url, timeout=10).status_code < 400, url

    open_page(session, "Analytics", "analytics")
    page.get_by_label("Filter campaigns").fill(session.campaign_name)
    page.get_by_label("Filter campaigns").press("Enter")
    impressions = page.locator(".st-key-analytics-totals [data-testid=stMetricValue]").first
    deadline = time.monotonic() + 60
    while impressions.inner_text().strip() != "1":
        assert time.monotonic() < deadline, "the impression never reached the Analytics page"
        page.wait_for_timeout(1000)
        page.get_by_role("button", name="Refresh").click()
        _settled(page)
    screenshot(page, "analytics", for_docs=True)
    open_page(session, "Home", "home")
    home_impressions = (
        page.locator(".st-key-home-metrics [data-testid=stMetric]")
        .filter(has_text="Impressions")
        .locator("[data-testid=stMetricValue]")
    )
    assert home_impressions.inner_text().strip() != "0"
    break_tag = page.locator(".st-key-break-tag code").inner_text().strip()
    screenshot(page, "home", for_docs=True)  # once the page is drawn to its end
    public = session.stack.env["PUBLIC_BASE_URL"]
    assert break_tag == f"{public}/api/v1/vast?max_duration=120&max_ads=4&{TAG_MACROS}"
    pod = _filled_vast(break_tag)
    sequence = [ad.get("sequence") for ad in pod.iterfind("v:Ad", VAST_NS)]
    assert sequence and sequence == [str(n) for n in range(1, len(sequence) + 1)], sequence
    # The programme's VMAP tag: its first break is the ad-break tag, with the schedule's id.
    vmap_tag = page.locator(".st-key-vmap-tag code").inner_text().strip()
    schedule = ElementTree.fromstring(httpx.get(vmap_tag, timeout=30).content)
    first = schedule.findtext(".//{http://www.iab.net/videosuite/vmap}AdTagURI") or ""
    assert first.startswith(f"{public}/api/v1/vast?max_duration=120&max_ads=4&request_id="), first
    assert first.endswith(f"-preroll&{TAG_MACROS}")


def test_the_campaign_page_downloads_a_days_beacons(session: Session) -> None:
    page = session.page
    open_page(session, "Campaigns", "campaigns")
    details = page.locator(".st-key-campaign-table").get_by_role("link", name=session.campaign_name)
    timed(session, "campaign", details.click)
    page.get_by_text("Log-level data").click()
    with page.expect_download(timeout=60_000) as started:
        page.get_by_role("button", name="Download the beacons (CSV)").click()
    download = started.value
    today = datetime.now(UTC).date()
    assert download.suggested_filename == f"events_{session.campaign_id}_{today}.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text())))
    counted = [r["event"] for r in rows if r["counted"] == "true"]
    assert counted == ["impression", "start", "complete"], rows  # the beacons fired above
    # The impression is on the heat map of when the ads play, in its hour of the week.
    page.get_by_text("When the ads play").wait_for()
    hour = re.compile(r"Busiest: [A-Z][a-z]+days (\d\d):00 to \d\d:00 \(1 impression\)")
    caption = page.get_by_text(hour)
    caption.wait_for()
    found = hour.search(caption.inner_text())
    assert found is not None
    now = datetime.now(UTC)
    assert int(found.group(1)) in {now.hour, (now - timedelta(minutes=10)).hour}


def test_admin_adds_a_viewer_who_gets_no_campaign_tools(session: Session) -> None:
    page = session.page
    open_page(session, "Team", "team")
    email = f"viewer-{uuid.uuid4().hex[:8]}@team.example.com"
    password = "viewer password 1"
    page.get_by_role("textbox", name="Email").fill(email)
    page.locator(".st-key-add-user-role").click()
    page.get_by_role("option", name=re.compile("^Viewer")).click()
    page.get_by_role("textbox", name="Temporary password").fill(password)
    page.get_by_role("button", name="Add user").click()
    page.get_by_text("can now log in as viewer").wait_for()
    screenshot(page, "team", for_docs=True)

    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(viewport=VIEWPORT)
    try:
        other = context.new_page()
        other.goto(session.url)
        other.get_by_label("Email").fill(email)
        other.get_by_role("textbox", name="Password").fill(password)
        other.get_by_role("button", name="Log in").click()
        other.locator(MAIN["home"]).wait_for()
        sidebar = other.get_by_test_id("stSidebar")
        sidebar.get_by_text("(viewer)").wait_for()
        nav = other.get_by_test_id("stSidebarNav")
        assert nav.get_by_role("link", name="Campaigns").count() == 1
        assert nav.get_by_role("link", name="New campaign").count() == 0
        assert nav.get_by_role("link", name="Team").count() == 0
    finally:
        context.close()


def test_admin_approves_an_editors_vast_tag_on_the_review_page(
    session: Session, api: httpx.Client
) -> None:
    page = session.page
    with client_of(session.stack, new_user(api, "editor")["email"]) as editor:
        added = editor.post(
            f"/campaigns/{session.campaign_id}/vast-tags",
            json={
                "name": "Partner SSP tag",
                "vast_tag_url": "https://ssp.example/v",
                "duration_s": 6,
            },
        )
    assert added.status_code == 201, added.text
    tag = added.json()["creative"]
    open_page(session, "Creative review", "reviews")
    item = page.locator(f".st-key-review-{tag['id']}")
    item.get_by_text("Partner SSP tag").wait_for()
    screenshot(page, "creative-review", for_docs=True)
    item.get_by_role("button", name="Approve").click()
    page.get_by_text("approved: players get it now").wait_for()
    item.wait_for(state="detached")
    assert api.get(f"/creatives/{tag['id']}").json()["creative"]["review_status"] == "approved"
