"""Critical path on a random DAG of 10,000 tasks and 20,000 dependencies: ours vs networkx.

    .venv/bin/python bench/cpm.py [--tasks 10000] [--dependencies 20000] [--repeat 7] [--seed 3]

Both run in the same process on the same graph. Ours is timed end to end from plain inputs
(task keys, durations, edges) to earliest/latest start and finish, slack, the critical flag and
one critical path; networkx is timed on `dag_longest_path` alone over a DiGraph built beforehand
(its graph construction is not counted); networkx weighs edges, so each edge carries its
source task's duration and a sink node after every task carries the last one's.
The best of `--repeat` runs is reported for each. Target: under 200 ms and at least as fast as
networkx (ratio ≤ 1.0).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import networkx as nx

from campaignflow.execution.schedule import critical_path

TARGET_MS = 200.0
SINK = "sink"


def random_dag(tasks: int, dependencies: int, seed: int):
    """Task keys t0…tN-1 with durations 0–10 days and edges that always go from lower to higher
    index (so the graph is acyclic), without duplicates."""
    rng = random.Random(seed)
    keys = [f"t{n}" for n in range(tasks)]
    durations = {key: rng.randint(0, 10) for key in keys}
    edges: set[tuple[int, int]] = set()
    while len(edges) < dependencies:
        a, b = rng.randrange(tasks), rng.randrange(tasks)
        if a != b:
            edges.add((min(a, b), max(a, b)))
    return durations, [(keys[a], keys[b]) for a, b in sorted(edges)]


def best_ms(function, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        best = min(best, (time.perf_counter() - started) * 1000)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--dependencies", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    durations, edges = random_dag(args.tasks, args.dependencies, args.seed)
    # networkx weighs edges, not nodes: each edge carries its source task's duration, and a sink
    # after every task carries the last task's, so the longest path's weight is the project length.
    graph = nx.DiGraph()
    graph.add_nodes_from(durations)
    graph.add_weighted_edges_from((a, b, durations[a]) for a, b in edges)
    graph.add_weighted_edges_from((key, SINK, duration) for key, duration in durations.items())

    ours_ms, schedule = best_ms(lambda: critical_path(durations, edges), args.repeat)
    theirs_ms, path = best_ms(lambda: nx.dag_longest_path(graph, weight="weight"), args.repeat)

    # Same answer: the longest path's length (plus its last task) is our project duration.
    longest = sum(durations[key] for key in path if key != SINK)
    assert longest == schedule.duration, (longest, schedule.duration)
    assert sum(durations[key] for key in schedule.path) == schedule.duration

    ratio = ours_ms / theirs_ms
    print(f"graph: {args.tasks} tasks, {len(edges)} dependencies, project {schedule.duration} days")
    print(f"ours (CPM: ES/EF/LS/LF, slack, critical path): {ours_ms:.1f} ms")
    print(f"networkx {nx.__version__} dag_longest_path:         {theirs_ms:.1f} ms")
    print(f"ratio ours/networkx: {ratio:.2f}  (target ≤ 1.00; ours under {TARGET_MS:.0f} ms)")
    ok = ours_ms < TARGET_MS and ratio <= 1.0
    print("OK" if ok else "MISSED TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
