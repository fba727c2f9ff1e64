"""Benchmarks and load generators (scripts, not tests): see bench/RESULTS.md."""
