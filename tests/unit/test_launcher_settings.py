"""The launcher refuses settings it can only check when used, before it starts anything."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cluster.__main__ import main
from config.settings import get_settings


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_wrong_excluded_networks_file_stops_make_up_first(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fresh_settings: None,
) -> None:
    listed = tmp_path / "ranges.txt"
    listed.write_text("192.0.2.0/24\nnot-a-range\n", encoding="utf-8")
    monkeypatch.setenv("IVT_EXCLUDED_NETWORKS_FILE", str(listed))
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    assert main(["up"]) == 2
    assert "line 2: 'not-a-range' is not an IP address" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()  # nothing was started
