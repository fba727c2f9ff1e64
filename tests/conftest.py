"""Shared fixtures: the one real stack per run (tests/stack_fixtures.py) and the IAB VAST 4.2
schema every served document must validate against."""

import os
from pathlib import Path

import pytest
import xmlschema

pytest_plugins = ["tests.stack_fixtures"]

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def vast_schema() -> xmlschema.XMLSchema:
    """``vast_4.2.xsd`` from ``VAST_XSD_DIR`` (default ../shared/vast from the repository root)."""
    xsd_dir = Path(os.environ.get("VAST_XSD_DIR", "../shared/vast"))
    xsd = (xsd_dir if xsd_dir.is_absolute() else REPO_ROOT / xsd_dir) / "vast_4.2.xsd"
    if not xsd.is_file():
        pytest.skip(f"IAB VAST 4.2 schema not found at {xsd} (set VAST_XSD_DIR)")
    return xmlschema.XMLSchema(xsd)
