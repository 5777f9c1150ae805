"""`python -m bench [NAME ...]`: run the benchmarks and print their figures.

With no names, runs every benchmark with settings that finish in a few minutes on a 2-core machine
(the context benchmark at 1k and 10k accounts; add 100k yourself:
`python -m bench.context_bench --sizes 1000,10000,100000`). Each benchmark is also a module of its
own with `--help`.
"""

from __future__ import annotations

import subprocess
import sys

QUICK_RUNS: dict[str, list[str]] = {
    "cli_bench": [],
    "resolution_bench": ["--rounds", "50"],
    "import_bench": [],
    "context_bench": ["--sizes", "1000,10000"],
    "draft_bench": [],
    "claude_bench": [],
    "slack_bench": [],
    "draft_book_bench": ["--book", "500"],
    "bulk_bench": ["--accounts", "1000"],  # the figures: --accounts 10000 (~15 min here)
    "approval_bench": [],
    "living_bench": [],
    "review_bench": ["--rounds", "3"],
}


def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in QUICK_RUNS]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(QUICK_RUNS)}", file=sys.stderr)
        return 2
    failed = 0
    for name in names or list(QUICK_RUNS):
        print(f"\n=== {name} ===", flush=True)
        failed += subprocess.run([sys.executable, "-m", f"bench.{name}", *QUICK_RUNS[name]]).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
