"""How long `accountplan` commands take from the shell, start-up included.

    .venv/bin/python -m bench.cli_bench [--runs 15] [--importtime] [--dir PATH]

Seeds the 200-account demo portfolio into a SQLite file in a temporary folder, then runs each
command as a user would (a new process each time, output discarded) and prints min / median / p90
wall time, and the median CPU time (steadier on a shared machine). `python -c pass` is the floor
any Python command pays. Target: `--help` and
`customers list` under 350 ms on a 2-core machine. With --importtime, also prints the ten largest
cumulative imports of each command (`python -X importtime`), the evidence for where start-up goes.

Our own modules are byte-compiled first (what `make install` does), so the figures are those of an
installed CLI rather than of recompiling sources, which PYTHONDONTWRITEBYTECODE would force on
every run.
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "agent", "tools", "storage")
TARGET_MS = 350.0
TARGETED = 2  # the first COMMANDS have the start-up target; the others show what work adds
HEAVY = ("matplotlib", "numpy", "alembic", "anthropic", "slack_bolt", "aiohttp")
COMMANDS: list[tuple[str, list[str]]] = [
    ("accountplan --help", ["--help"]),
    ("accountplan customers list", ["customers", "list"]),
    ("accountplan plans list", ["plans", "list"]),
    ("accountplan customers show TechCorp", ["customers", "show", "TechCorp Industries"]),
    (
        "accountplan generate TechCorp --no-save",
        ["generate", "TechCorp Industries", "--no-save", "--offline", "--format", "json"],
    ),
]


def _accountplan() -> list[str]:
    """Arguments after the interpreter that run the CLI: the installed console script next to
    this interpreter, else the entry point itself."""
    script = Path(sys.executable).with_name("accountplan")
    if script.exists():
        return [str(script)]
    return ["-c", "from bot.cli import main; main()"]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time_runs(argv: list[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) milliseconds of each run. On a shared machine the CPU time is
    the steadier figure: it does not count the time spent waiting for a core."""
    subprocess.run(argv, env=env, capture_output=True, check=True)  # warm the page cache
    wall, cpu = [], []
    for _ in range(runs):
        started, cpu_before = time.perf_counter(), _cpu_seconds()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((_cpu_seconds() - cpu_before) * 1000)
    return wall, cpu


def _summary(times: tuple[list[float], list[float]]) -> str:
    wall, cpu = times
    ordered = sorted(wall)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return (
        f"min {ordered[0]:6.0f}  median {statistics.median(ordered):6.0f}  p90 {p90:6.0f} ms"
        f"  (CPU median {statistics.median(cpu):4.0f} ms)"
    )


def _top_imports(argv: list[str], env: dict[str, str], count: int = 10) -> list[str]:
    """The largest cumulative imports (top-level packages and our modules) of one run."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *argv[1:]], env=env, capture_output=True, text=True, check=True
    )
    rows: list[tuple[int, str]] = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, cumulative, name = (part.strip() for part in line[len("import time:") :].split("|"))
        depth = (len(line.split("|")[2]) - len(line.split("|")[2].lstrip())) // 2
        if depth <= 1:
            rows.append((int(cumulative), name))
    rows.sort(reverse=True)
    return [f"    {us / 1000:7.1f} ms  {name}" for us, name in rows[:count]]


def _heavy_after_import(env: dict[str, str]) -> list[str]:
    code = f"import sys, bot.cli; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="Runs per command (default 15).")
    parser.add_argument("--importtime", action="store_true", help="Also print the largest imports.")
    parser.add_argument("--dir", type=Path, help="Work folder (default: a temporary one).")
    args = parser.parse_args()

    for package in PACKAGES:
        compileall.compile_dir(str(ROOT / package), quiet=1)
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.dir or Path(temporary)
        env = {
            **os.environ,
            "ACCOUNTPLAN_DATA_DIR": str(folder / "data"),
            "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'data' / 'accountplan.db'}",
            "COLUMNS": "160",
        }
        for name in ("ANTHROPIC_API_KEY", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
            env.pop(name, None)
        cli = [sys.executable, *_accountplan()]
        subprocess.run([*cli, "seed"], env=env, capture_output=True, check=True)
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"CLI start-up, {args.runs} runs each, 200-account demo on SQLite, load average {load:.1f}")
        print(f"  {'python -c pass':40s} {_summary(_time_runs([sys.executable, '-c', 'pass'], env, args.runs))}")
        for position, (label, command) in enumerate(COMMANDS):
            times = _time_runs([*cli, *command], env, args.runs)
            over = position < TARGETED and statistics.median(times[0]) >= TARGET_MS
            flag = "  (over target)" if over else ""
            print(f"  {label:40s} {_summary(times)}{flag}")
        heavy = _heavy_after_import(env)
        print(f"  import bot.cli loads: {', '.join(heavy) if heavy else 'none of ' + ', '.join(HEAVY)}")
        print(f"  target: --help and customers list under {TARGET_MS:.0f} ms (median)")
        if args.importtime:
            for label, command in COMMANDS[:2]:
                print(f"  largest cumulative imports of `{label}`:")
                print("\n".join(_top_imports([*cli, *command], env)))


if __name__ == "__main__":
    main()
