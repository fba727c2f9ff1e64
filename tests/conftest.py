"""Shared fixtures: the one real stack per run (tests/stack_fixtures.py)."""

pytest_plugins = ["tests.stack_fixtures"]
