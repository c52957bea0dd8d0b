"""Benchmarks and resilience scripts for bookclub (see docs/performance.md).

python -m benchmarks run --reviews 1000,20000 --duration 20
python -m benchmarks run --quick
python -m benchmarks resilience all --short
"""
