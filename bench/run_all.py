#!/usr/bin/env python
"""Run every benchmark in bench/ at a quick size and print one table against bench/baseline.json.

    .venv/bin/python bench/run_all.py                    # all benchmarks (`make bench`)
    .venv/bin/python bench/run_all.py --only cpm kpis    # some of them
    .venv/bin/python bench/run_all.py --write-baseline   # run, then store the figures as the baseline
    .venv/bin/python bench/run_all.py --verbose          # also print each script's own report

Each script runs in its own process with small sizes (`quick` in BENCHMARKS below), exactly as a person would run
it; its printed report is parsed into figures. Every benchmark measures against a baseline of its
own taken in the same run (a bare Django view, a raw COPY, networkx, …): those ratios are the
figures that carry from machine to machine. The absolute figures are printed for context.

Each figure is compared with the committed bench/baseline.json. A figure worse than the baseline
by more than 1.5× (slower, or less than 1/1.5 of the throughput) is flagged as a WARNING: these
machines are shared and noisy, so a regression is a thing to look at in review, not a failure.
The exit status is non-zero only when a script could not run at all (crashed, timed out, or its
report could not be read). Whether a script met its own target is shown in the `target` column.

PostgreSQL variants run when PostgreSQL answers at $DATABASE_URL (else
postgres://postgres@127.0.0.1:5432/test); the Redis variant of the redirect benchmark runs when
Redis answers at $REDIS_URL (else redis://127.0.0.1:6379/0). Missing variants are shown as skipped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
BASELINE = BENCH / "baseline.json"
REGRESSION_FACTOR = 1.5
PG_URL = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/test"


@dataclass
class Figure:
    key: str  # "<script> <what>", unique, the key in baseline.json
    value: float
    unit: str
    better: str  # "lower", "higher" or "" (context only: never flagged)
    ratio: bool = False  # a ratio against the script's in-run baseline


# --- how each script is run, and how its report is read ------------------------------------------


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def parse_cpm(out: str) -> list[Figure]:
    ours = re.search(r"^ours \(CPM.*?:\s+([\d.]+) ms", out, re.M)
    theirs = re.search(r"^networkx .*?dag_longest_path:\s+([\d.]+) ms", out, re.M)
    ratio = re.search(r"^ratio ours/networkx: ([\d.]+)", out, re.M)
    return [
        Figure("cpm ours / networkx", _number(ratio[1]), "×", "lower", ratio=True),
        Figure("cpm critical path, 10,000 tasks", _number(ours[1]), "ms", "lower"),
        Figure("cpm networkx dag_longest_path", _number(theirs[1]), "ms", ""),
    ]


def parse_gantt(out: str) -> list[Figure]:
    page = re.search(r"^Gantt page, \d+ tasks: median ([\d.]+) ms, worst ([\d.]+) ms", out, re.M)
    bare = re.search(r"^bare view .*?: median ([\d.]+) ms", out, re.M)
    ratio = re.search(r"^ratio ([\d.]+)×", out, re.M)
    return [
        Figure("gantt_page page / bare view", _number(ratio[1]), "×", "lower", ratio=True),
        Figure("gantt_page median, 500 tasks", _number(page[1]), "ms", "lower"),
        Figure("gantt_page bare view median", _number(bare[1]), "ms", ""),
    ]


def parse_import(out: str) -> list[Figure]:
    figures, database = [], ""
    for line in out.splitlines():
        label = re.match(r"^(SQLite|PostgreSQL)\s", line)
        if label:
            database = label[1]
        columns = line[11:]
        if columns.startswith("import (new rows"):
            rate = _number(columns[34:].split()[1])
            figures.append(Figure(f"import_metrics {database} import rows/s", rate, "rows/s", "higher"))
        elif columns.startswith("re-import (all rows updated)"):
            rate = _number(columns[34:].split()[1])
            figures.append(Figure(f"import_metrics {database} re-import rows/s", rate, "rows/s", "higher"))
        elif columns.startswith("COPY, equivalent table"):
            rate = _number(columns[34:].split()[1])
            figures.append(Figure(f"import_metrics {database} COPY rows/s", rate, "rows/s", ""))
        elif columns.startswith("ratio import / COPY (equivalent)"):
            ratio = _number(columns[34:].split()[0])
            figures.append(
                Figure(f"import_metrics {database} import / COPY", ratio, "×", "higher", ratio=True)
            )
        elif columns.startswith("peak memory of the import process"):
            peak = _number(columns[34:].split()[0])
            figures.append(Figure(f"import_metrics {database} peak RSS", peak, "MB", "lower"))
    if not figures:
        raise ValueError("no import figures")
    return figures


def parse_kpis(out: str) -> list[Figure]:
    figures, database = [], ""
    for line in out.splitlines():
        label = re.match(r"^(SQLite|PostgreSQL)\s", line)
        if label:
            database = label[1]
        fields = line[11:].split()
        if fields[:1] == ["kpis"]:
            p95, ratio = _number(fields[2]), _number(fields[4])
            figures.append(Figure(f"kpis {database} p95 / bare p95", ratio, "×", "lower", ratio=True))
            figures.append(Figure(f"kpis {database} p95", p95, "ms", "lower"))
        elif fields[:2] == ["bare", "view"]:
            figures.append(Figure(f"kpis {database} bare view p95", _number(fields[3]), "ms", ""))
    if not figures:
        raise ValueError("no kpis figures")
    return figures


def parse_redirect(out: str) -> list[Figure]:
    figures = []
    pattern = r"^(memory|redis)\s+bare 302\s+([\d.]+) req/s\s+redirect\s+([\d.]+) req/s\s+ratio ([\d.]+)"
    for name, bare, redirect, ratio in re.findall(pattern, out, re.M):
        figures.append(Figure(f"redirect {name} redirect / bare", _number(ratio), "×", "higher", ratio=True))
        figures.append(Figure(f"redirect {name} redirect", _number(redirect), "req/s", "higher"))
        figures.append(Figure(f"redirect {name} bare 302", _number(bare), "req/s", ""))
    if not figures:
        raise ValueError("no redirect figures")
    return figures


SEARCH_ROWS = {
    "search (analyst)": "search analyst",
    "search (dept member)": "search member",
    "GET /knowledge/search": "API search",
}


def parse_search(out: str) -> list[Figure]:
    figures, database = [], ""
    for line in out.splitlines():
        label = re.match(r"^(SQLite|PostgreSQL)\s", line)
        if label:
            database = label[1]
        what = line[11:37].strip()
        if what in SEARCH_ROWS:
            fields = line[37:].split()
            name = f"search {database} {SEARCH_ROWS[what]}"
            figures.append(Figure(f"{name} p95 / pk lookup", _number(fields[3]), "×", "lower", ratio=True))
            figures.append(Figure(f"{name} p95", _number(fields[1]), "ms", "lower"))
    if not figures:
        raise ValueError("no search figures")
    return figures


@dataclass
class Bench:
    name: str
    script: str
    quick: list[str]  # small sizes: `make bench` should take minutes, not an hour
    parse: object
    uses_postgres: bool = False
    uses_redis: bool = False
    timeout: int = 900


def parse_evaluation_pdf(out: str) -> list[Figure]:
    pdf = re.search(r"^evaluation PDF +median ([\d.]+) ms", out, re.M)
    ratio = re.search(r"^ratio PDF / XLSX: ([\d.]+)", out, re.M)
    return [
        Figure("evaluation_pdf PDF / XLSX", _number(ratio[1]), "×", "lower", ratio=True),
        Figure("evaluation_pdf PDF, 50 channels × 365 days", _number(pdf[1]), "ms", "lower"),
    ]


BENCHMARKS = [
    Bench("cpm", "cpm.py", ["--repeat", "3"], parse_cpm),
    Bench("gantt_page", "gantt_page.py", ["--tasks", "500", "--repeat", "5"], parse_gantt),
    Bench("import_metrics", "import_metrics.py", ["--rows", "200000"], parse_import, uses_postgres=True),
    Bench("kpis", "kpis.py", ["--requests", "30"], parse_kpis, uses_postgres=True),
    Bench(
        "redirect",
        "redirect.py",
        ["--seconds", "2", "--rounds", "2"],
        parse_redirect,
        uses_redis=True,
    ),
    Bench("search", "search.py", ["--entries", "2000", "--requests", "40"], parse_search, uses_postgres=True),
    Bench("evaluation_pdf", "evaluation_pdf.py", ["--runs", "3"], parse_evaluation_pdf),
]


# --- running -----------------------------------------------------------------------------------------------


def postgres_reachable(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=2):
            return True
    except Exception:
        return False


def redis_reachable(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def command(bench: Bench, postgres: bool, redis: bool) -> list[str]:
    args = [sys.executable, str(BENCH / bench.script), *bench.quick]
    if bench.uses_postgres:
        args += ["--database", "both" if postgres else "sqlite", "--pg-url", PG_URL]
    if bench.uses_redis:
        args += ["--buffer", "both" if redis else "memory"]
    return args


@dataclass
class Outcome:
    bench: Bench
    figures: list[Figure]
    target_met: bool | None
    seconds: float
    error: str = ""


def run(bench: Bench, postgres: bool, redis: bool, verbose: bool) -> Outcome:
    started = time.perf_counter()
    # Every script makes its own scratch databases; an inherited data dir or DATABASE_URL (`make`
    # exports ./var) would point gantt_page.py at real data. PostgreSQL is passed as --pg-url.
    env = {k: v for k, v in os.environ.items() if k not in ("CAMPAIGNFLOW_DATA_DIR", "DATABASE_URL")}
    env["PYTHONUNBUFFERED"] = "1"
    try:
        done = subprocess.run(
            command(bench, postgres, redis),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=bench.timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Outcome(bench, [], None, time.perf_counter() - started, f"timed out after {bench.timeout} s")
    seconds = time.perf_counter() - started
    if verbose:
        print(f"\n--- {bench.script} ---\n{done.stdout}{done.stderr}", flush=True)
    try:
        figures = bench.parse(done.stdout)
    except (TypeError, ValueError, IndexError):
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        return Outcome(bench, [], None, seconds, f"exit {done.returncode}, report unreadable:\n{tail}")
    return Outcome(bench, figures, done.returncode == 0, seconds)


def compare(figure: Figure, baseline: dict) -> tuple[str, bool]:
    """The change against the baseline as text, and whether it is a regression beyond the factor."""
    before = baseline.get(figure.key, {}).get("value")
    if before is None or before == 0:
        return "new", False
    change = (figure.value - before) / before * 100
    worse = {
        "lower": figure.value > before * REGRESSION_FACTOR,
        "higher": figure.value * REGRESSION_FACTOR < before,
    }.get(figure.better, False)
    return f"{change:+.0f} %", worse


def fmt(value: float, unit: str) -> str:
    if unit == "×":
        return f"{value:.2f} ×"
    if value >= 1000:
        return f"{value:,.0f} {unit}"
    return f"{value:.1f} {unit}"


def report(outcomes: list[Outcome], baseline: dict, skipped: list[str]) -> list[str]:
    """Print the table; return the warnings."""
    warnings = []
    width = max([len(f.key) for o in outcomes for f in o.figures] + [20])
    print(f"\n{'figure':<{width}}  {'now':>16}  {'baseline':>16}  {'change':>8}  note")
    print("-" * (width + 56))
    for outcome in outcomes:
        if outcome.error:
            print(f"{outcome.bench.name:<{width}}  FAILED: {outcome.error}")
            continue
        target = "target met" if outcome.target_met else "TARGET MISSED"
        for index, figure in enumerate(outcome.figures):
            before = baseline.get(figure.key)
            change, worse = compare(figure, baseline)
            notes = []
            if figure.ratio:
                notes.append("ratio")
            elif not figure.better:
                notes.append("context")
            if worse:
                # A ratio is measured against a baseline taken in the same run, so machine load
                # cancels out; an absolute figure alone also moves with whatever else runs.
                notes.append(
                    "WARNING: regression" if figure.ratio else "WARNING: slower (absolute; busy machine?)"
                )
                warnings.append(
                    f"{figure.key}: {fmt(figure.value, figure.unit)} vs {fmt(before['value'], figure.unit)}"
                )
            if index == 0:
                notes.append(f"{target}, {outcome.seconds:.0f} s")
            shown_before = fmt(before["value"], figure.unit) if before else "—"
            print(
                f"{figure.key:<{width}}  {fmt(figure.value, figure.unit):>16}  {shown_before:>16}  {change:>8}  "
                + "; ".join(notes)
            )
    for name in skipped:
        print(f"{name:<{width}}  skipped")
    # load.py takes minutes at its smallest (`make load`); generate_org.py only builds its data
    known = {bench.script for bench in BENCHMARKS} | {Path(__file__).name, "load.py", "generate_org.py"}
    for script in sorted(path.name for path in BENCH.glob("*.py") if path.name not in known):
        print(f"{script:<{width}}  not run: add it to BENCHMARKS in bench/run_all.py (quick options, parser)")
    return warnings


def write_baseline(outcomes: list[Outcome]) -> None:
    figures = {
        figure.key: {"value": figure.value, "unit": figure.unit, "better": figure.better or "context"}
        for outcome in outcomes
        for figure in outcome.figures
    }
    previous = json.loads(BASELINE.read_text())["figures"] if BASELINE.exists() else {}
    document = {
        "written": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "command": "bench/run_all.py (quick sizes, see QUICK in the script)",
        "figures": previous | figures,
    }
    BASELINE.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"\nbaseline written to {BASELINE.relative_to(ROOT)} ({len(figures)} figures)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    names = [bench.name for bench in BENCHMARKS]
    parser.add_argument("--only", nargs="+", choices=names, help="run only these benchmarks")
    parser.add_argument(
        "--write-baseline", action="store_true", help="store this run's figures as the baseline"
    )
    parser.add_argument("--verbose", action="store_true", help="print each script's own report")
    args = parser.parse_args()

    postgres, redis = (
        postgres_reachable(PG_URL),
        redis_reachable(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"),
    )
    skipped = []
    if not postgres:
        skipped.append(f"PostgreSQL variants (no answer at {PG_URL})")
    if not redis:
        skipped.append("redirect with the Redis buffer (Redis not reachable)")
    baseline = json.loads(BASELINE.read_text())["figures"] if BASELINE.exists() else {}

    outcomes = []
    for bench in BENCHMARKS:
        if args.only and bench.name not in args.only:
            continue
        print(f"running {' '.join(command(bench, postgres, redis)[1:])}", flush=True)
        outcomes.append(run(bench, postgres, redis, args.verbose))

    warnings = report(outcomes, baseline, skipped)
    print(
        f"\nratios are against each script's own in-run baseline; absolute figures are for context. "
        f"A figure worse than {BASELINE.relative_to(ROOT)} by more than {REGRESSION_FACTOR}× is a warning."
    )
    for warning in warnings:
        print(f"WARNING: regression: {warning}")
    failed = [outcome.bench.name for outcome in outcomes if outcome.error]
    if args.write_baseline:
        if failed:
            print(f"baseline not written: {', '.join(failed)} failed")
        else:
            write_baseline(outcomes)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
