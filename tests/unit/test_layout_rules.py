"""Rules of the codebase that a test can hold: the domain package stays pure, serve_config.yaml is
valid and names builders that exist, nothing heavy happens at import, the dashboard's pages
print nothing by accident."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_IN_DOMAIN = {
    "ray",
    "sqlalchemy",
    "redis",
    "fastapi",
    "starlette",
    "streamlit",
    "asyncpg",
    "boto3",
    "av",
    "httpx",
}


def test_domain_package_imports_no_io_frameworks() -> None:
    offenders = []
    for path in (ROOT / "ads").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN_IN_DOMAIN
            ]
    assert offenders == []


def test_dashboard_pages_hold_no_bare_expressions() -> None:
    """Streamlit's magic writes any bare expression of a page script to the page (a docstring
    under a constant showed as a stray caption atop the campaign page): only the module
    docstring may stand alone."""
    offenders = []
    for path in [ROOT / "dashboard" / "app.py", *(ROOT / "dashboard" / "views").glob("*.py")]:
        tree = ast.parse(path.read_text())
        for node in tree.body[1:] if ast.get_docstring(tree) else tree.body:
            if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Call):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_serve_config_is_valid_and_builders_resolve() -> None:
    from ray.serve.schema import ServeDeploySchema

    config = yaml.safe_load((ROOT / "serve_config.yaml").read_text())
    schema = ServeDeploySchema.model_validate(config)
    prefixes = {app.name: app.route_prefix for app in schema.applications}
    assert prefixes == {"serving": "/", "management": "/api/v1/admin"}
    for app in schema.applications:
        module, _, attr = app.import_path.partition(":")
        builder = getattr(importlib.import_module(module), attr)
        assert callable(builder)
        for deployment in app.deployments:
            assert deployment.autoscaling_config, f"{deployment.name} must autoscale"
            assert deployment.max_ongoing_requests, (
                f"{deployment.name} must set max_ongoing_requests"
            )
