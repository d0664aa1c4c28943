"""spaser's benchmarks (not part of the installed package): ``python -m benchmarks --help``."""
