"""The serving replicas' CPU autoscaling policy and the CPU sampler they report from."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from deployments.serving.autoscaling import CPU_METRIC, CpuTargetPolicy, ProcessCpu


@dataclass
class Context:
    target_num_replicas: int = 1
    aggregated_metrics: dict[str, dict[Any, float]] | None = field(default_factory=dict)


def busy(*cores: float) -> Context:
    return Context(aggregated_metrics={CPU_METRIC: {f"r{i}": c for i, c in enumerate(cores)}})


@pytest.mark.parametrize(
    ("cores", "replicas"),
    [
        ((0.02,), 1),  # idle: the minimum
        ((0.59,), 1),
        ((0.86,), 2),  # one saturated replica: scale up
        ((0.5, 0.5), 2),  # the same load spread: stay
        ((0.05, 0.04), 1),  # load gone: back down
        ((0.9, 0.9, 0.9), 5),
    ],
)
def test_replicas_follow_the_cores_in_use(cores: tuple[float, ...], replicas: int) -> None:
    desired, state = CpuTargetPolicy(target_cores=0.6)(busy(*cores))

    assert desired == replicas
    assert state["busy_cores"] == pytest.approx(sum(cores))


def test_without_reports_the_current_target_stays() -> None:
    assert CpuTargetPolicy()(Context(target_num_replicas=3))[0] == 3
    assert CpuTargetPolicy()(Context(target_num_replicas=2, aggregated_metrics=None))[0] == 2


@pytest.mark.parametrize("target", [0, -1, 100])
def test_a_nonsense_target_is_refused(target: float) -> None:
    with pytest.raises(ValueError, match="target_cores"):
        CpuTargetPolicy(target_cores=target)


def test_the_sampler_sees_a_busy_process_and_an_idle_one() -> None:
    cpu = ProcessCpu()
    deadline = time.monotonic() + 0.2
    while time.monotonic() < deadline:
        sum(range(1000))
    assert cpu.sample() > 0.5
    time.sleep(0.2)
    assert cpu.sample() < 0.3
