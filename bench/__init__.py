"""The load, crash and latency benchmarks; run each from the repository root: python -m bench.<name>."""
