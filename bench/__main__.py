"""Run the benchmarks: `bash scripts/bench.sh` for all, `bash scripts/bench.sh intake` for some.

Each benchmark is its own module with its own options (`.venv/bin/python -m bench.bench_intake --help`).
"""

import subprocess
import sys

BENCHMARKS = [
    "bench.bench_spatial",
    "bench.bench_intake",
    "bench.bench_ingest",
    "bench.bench_scoring",
    "bench.bench_features",
    "bench.bench_statistics",
]


def main(names: list[str]) -> int:
    chosen = [m for m in BENCHMARKS if not names or any(m.endswith(n) for n in names)]
    unknown = [n for n in names if not any(m.endswith(n) for m in BENCHMARKS)]
    if unknown:
        print(f"unknown benchmark: {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    failed = []
    for module in chosen:
        print(f"== {module}", flush=True)
        if subprocess.call([sys.executable, "-m", module]) != 0:
            failed.append(module)
    if failed:
        print("missed target:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
