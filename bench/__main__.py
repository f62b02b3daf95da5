"""Run every benchmark: `bash scripts/bench.sh` (or `.venv/bin/python -m bench`)."""

import subprocess
import sys

BENCHMARKS = ["bench.bench_spatial", "bench.bench_intake"]


def main() -> int:
    failed = []
    for module in BENCHMARKS:
        print(f"== {module}", flush=True)
        if subprocess.call([sys.executable, "-m", module, *sys.argv[1:]]) != 0:
            failed.append(module)
    if failed:
        print("missed target:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
