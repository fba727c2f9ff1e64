from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ads.renditions
from ads.renditions import RenditionSpec, plan_renditions


def sizes(specs: list[RenditionSpec]) -> list[tuple[str, int, int]]:
    return [(spec.name, spec.width, spec.height) for spec in specs]


def test_1080p_source_gets_the_full_ctv_ladder() -> None:
    assert plan_renditions(1920, 1080) == [
        RenditionSpec(name="1080p", width=1920, height=1080, video_kbps=6000, audio_kbps=128),
        RenditionSpec(name="720p", width=1280, height=720, video_kbps=3500, audio_kbps=128),
        RenditionSpec(name="540p", width=960, height=540, video_kbps=2000, audio_kbps=128),
        RenditionSpec(name="360p", width=640, height=360, video_kbps=800, audio_kbps=96),
    ]


def test_never_upscales() -> None:
    assert sizes(plan_renditions(1280, 720)) == [
        ("720p", 1280, 720),
        ("540p", 960, 540),
        ("360p", 640, 360),
    ]
    assert sizes(plan_renditions(3840, 2160))[0] == ("1080p", 1920, 1080)


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [
        (1440, 1080, [("1080p", 1440, 1080), ("720p", 960, 720), ("540p", 720, 540)]),
        (1920, 800, [("720p", 1728, 720), ("540p", 1296, 540), ("360p", 864, 360)]),
        (1080, 1920, [("1080p", 1080, 1920), ("720p", 720, 1280), ("540p", 540, 960)]),
        (1918, 1078, [("720p", 1282, 720), ("540p", 960, 540), ("360p", 640, 360)]),
    ],
)
def test_keeps_aspect_ratio_with_even_sides(
    width: int, height: int, expected: list[tuple[str, int, int]]
) -> None:
    planned = plan_renditions(width, height)

    assert sizes(planned)[:3] == expected
    assert all(spec.width % 2 == 0 and spec.height % 2 == 0 for spec in planned)


def test_a_source_below_the_lowest_rung_gets_one_rendition_at_its_own_size() -> None:
    assert plan_renditions(321, 241) == [
        RenditionSpec(name="240p", width=320, height=240, video_kbps=800, audio_kbps=96)
    ]


def test_source_bitrate_caps_every_rung() -> None:
    planned = plan_renditions(1920, 1080, bitrate_kbps=2500)

    assert [spec.video_kbps for spec in planned] == [2500, 2500, 2000, 800]


@pytest.mark.parametrize(("width", "height", "bitrate"), [(0, 1080, 0), (1920, -2, 0), (2, 2, -1)])
def test_refuses_impossible_sources(width: int, height: int, bitrate: int) -> None:
    with pytest.raises(ValueError, match="must"):
        plan_renditions(width, height, bitrate_kbps=bitrate)


def test_module_is_pure() -> None:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(Path(ads.renditions.__file__).read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])

    assert imported <= {"__future__", "dataclasses"}
