"""Shared fixtures: the one real stack per run (tests/stack_fixtures.py) and the IAB VAST 4.x
schemas every served document must validate against (each version its own)."""

import os
from pathlib import Path

import pytest
import xmlschema

from ads.vast import XSD_FILES, VastVersion

pytest_plugins = ["tests.stack_fixtures"]

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def vast_schemas() -> dict[VastVersion, xmlschema.XMLSchema]:
    """Each version's schema from ``VAST_XSD_DIR`` (default ../shared/vast from the repository
    root)."""
    xsd_dir = Path(os.environ.get("VAST_XSD_DIR", "../shared/vast"))
    folder = xsd_dir if xsd_dir.is_absolute() else REPO_ROOT / xsd_dir
    missing = [name for name in XSD_FILES.values() if not (folder / name).is_file()]
    if missing:
        pytest.skip(f"IAB VAST schemas {missing} not found in {folder} (set VAST_XSD_DIR)")
    return {version: xmlschema.XMLSchema(folder / name) for version, name in XSD_FILES.items()}


@pytest.fixture(scope="session")
def vast_schema(vast_schemas: dict[VastVersion, xmlschema.XMLSchema]) -> xmlschema.XMLSchema:
    """The VAST 4.2 schema: what is served unless a player asks for another version."""
    return vast_schemas[VastVersion.V4_2]
