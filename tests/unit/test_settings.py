"""Settings rules that guard secrets and keep the data consistent."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from config.settings import SettingError, Settings


def test_the_previous_tracking_secret_is_optional_and_as_strict_as_the_current_one() -> None:
    assert Settings(tracking_secret=SecretStr("n" * 32)).previous_tracking_secret() is None
    rotated = Settings(
        tracking_secret=SecretStr("n" * 32), tracking_secret_previous=SecretStr("o" * 32)
    )
    assert rotated.previous_tracking_secret() == "o" * 32
    with pytest.raises(RuntimeError, match="TRACKING_SECRET_PREVIOUS"):
        Settings(tracking_secret_previous=SecretStr("short")).previous_tracking_secret()


def test_a_tracking_secret_shorter_than_16_characters_is_refused() -> None:
    with pytest.raises(RuntimeError, match="TRACKING_SECRET"):
        Settings(tracking_secret=SecretStr("short")).require_secret("tracking_secret")


def test_the_ad_info_links_sign_with_the_tracking_secrets_and_name_the_icon() -> None:
    settings = Settings(
        tracking_secret=SecretStr("n" * 32),
        tracking_secret_previous=SecretStr("o" * 32),
        public_base_url="https://ads.example.com/",
    )
    links = settings.ad_info_links()
    assert links.keys == (b"n" * 32, b"o" * 32)
    assert links.page_url("c1").startswith("https://ads.example.com/api/v1/about-ad?c=c1&s=")
    assert links.icon_url == "https://ads.example.com/api/v1/ad-info.png"
    own = Settings(
        tracking_secret=SecretStr("n" * 32), ad_info_icon_url="https://cdn.example/i.svg"
    )
    assert own.ad_info_links().icon_type == "image/svg+xml"
    with pytest.raises(ValueError, match="absolute http"):
        Settings(ad_info_icon_url="/static/icon.png")


def test_raw_events_outlive_the_beacon_replay_window() -> None:
    assert Settings(event_retention_days=3, beacon_max_age_seconds=2 * 86_400)
    assert Settings(event_retention_days=None).event_retention_days is None
    with pytest.raises(ValueError, match="EVENT_RETENTION_DAYS"):
        Settings(event_retention_days=3, beacon_max_age_seconds=2 * 86_400 + 1)
    with pytest.raises(ValueError, match="event_retention_days"):
        Settings(event_retention_days=2)


def test_network_lists_are_checked_when_read(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"'10\.0\.0\.0/33' is not an IP address"):
        Settings(ivt_excluded_networks="192.0.2.0/24, 10.0.0.0/33")
    with pytest.raises(ValueError, match="'localhost' is not an IP address"):
        Settings(trusted_proxies="localhost")
    listed = tmp_path / "ranges.txt"
    listed.write_text("198.51.100.0/24\n", encoding="utf-8")
    settings = Settings(ivt_excluded_networks="192.0.2.0/24", ivt_excluded_networks_file=listed)
    assert settings.excluded_networks().count == 2
    missing = Settings(ivt_excluded_networks_file=tmp_path / "missing.txt")
    with pytest.raises(SettingError, match=r"IVT_EXCLUDED_NETWORKS_FILE: .*No such file"):
        missing.excluded_networks()
    listed.write_text("198.51.100.0/24\n# offices\n203.0.113.0/40\n", encoding="utf-8")
    with pytest.raises(SettingError, match=r"ranges\.txt, line 3: '203\.0\.113\.0/40' is not"):
        settings.excluded_networks()
    assert not Settings(ivt_excluded_networks="").excluded_networks()
