"""Critical path method (CPM) over finish-to-start dependencies, in linear time.

Pure Python with no Django import, so it is tested and benchmarked on its own. Tasks are nodes
with a duration in whole days; an edge (a, b) means b cannot start before a finishes. Times are
day offsets from the project start: a task with earliest start 2 and duration 3 occupies days 2,
3 and 4 and finishes at 5 (exclusive), the earliest its successors may start. An optional release
offset per task ("start no earlier than", the planned start) delays its earliest start.

One topological order (Kahn's algorithm) drives both passes: forward for earliest start/finish,
backward for latest start/finish. Total slack is latest start minus earliest start; a task with
no slack is critical. Everything is O(tasks + dependencies).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass


class CycleError(ValueError):
    """The dependencies form a cycle; `cycle` lists its nodes with the first repeated at the end."""

    def __init__(self, cycle: list):
        self.cycle = cycle
        super().__init__(" → ".join(str(node) for node in cycle))


@dataclass(frozen=True, slots=True)
class Timing:
    """One task's schedule in day offsets: earliest/latest start and (exclusive) finish."""

    es: int
    ef: int
    ls: int
    lf: int

    @property
    def slack(self) -> int:
        return self.ls - self.es

    @property
    def critical(self) -> bool:
        return self.ls == self.es


@dataclass(frozen=True)
class Schedule:
    """The result of `critical_path`, keyed by the caller's task keys."""

    timings: dict[Hashable, Timing]
    duration: int  # the project's length in days: the latest earliest-finish
    path: list[Hashable]  # one critical path from a first task to a last one, in order


def topological_order(count: int, successors: Sequence[Sequence[int]]) -> list[int]:
    """Kahn's algorithm over nodes 0..count-1; raises CycleError when some nodes remain."""
    indegree = [0] * count
    for targets in successors:
        for target in targets:
            indegree[target] += 1
    order = [node for node in range(count) if indegree[node] == 0]
    # `order` doubles as the queue: nodes are appended as their last predecessor is placed.
    for node in order:
        for target in successors[node]:
            indegree[target] -= 1
            if indegree[target] == 0:
                order.append(target)
    if len(order) != count:
        remaining = {node for node in range(count) if indegree[node] > 0}
        raise CycleError(_cycle_among(remaining, successors))
    return order


def _cycle_among(remaining: set[int], successors: Sequence[Sequence[int]]) -> list[int]:
    """A cycle among the nodes Kahn's algorithm could not place.

    Every such node has a predecessor that is also unplaced, so walking predecessors backwards
    must revisit a node; the walk's loop is the cycle (iterative, no recursion limit).
    """
    predecessor: dict[int, int] = {}
    for node in remaining:
        for target in successors[node]:
            if target in remaining:
                predecessor.setdefault(target, node)
    node = next(iter(sorted(remaining)))
    seen: dict[int, int] = {}
    walk: list[int] = []
    while node not in seen:
        seen[node] = len(walk)
        walk.append(node)
        node = predecessor[node]
    loop = walk[seen[node] :]
    loop.reverse()  # walked against the arrows; report along them
    return [*loop, loop[0]]


def critical_path(
    durations: Mapping[Hashable, int],
    dependencies: Iterable[tuple[Hashable, Hashable]],
    release: Mapping[Hashable, int] | None = None,
) -> Schedule:
    """Schedule tasks keyed by any hashable: `durations[key]` days, `(before, after)` edges.

    Raises CycleError naming the cycle (in the caller's keys) and KeyError for an edge that names
    an unknown task. Durations must be non-negative.
    """
    keys = list(durations)
    index = {key: position for position, key in enumerate(keys)}
    count = len(keys)
    duration = [int(durations[key]) for key in keys]
    successors: list[list[int]] = [[] for _ in range(count)]
    for before, after in dependencies:
        successors[index[before]].append(index[after])
    try:
        order = topological_order(count, successors)
    except CycleError as exc:
        raise CycleError([keys[node] for node in exc.cycle]) from None

    es = [0] * count
    if release:
        for key, offset in release.items():
            es[index[key]] = int(offset)
    ef = [0] * count
    for node in order:
        finish = es[node] + duration[node]
        ef[node] = finish
        for target in successors[node]:
            if finish > es[target]:
                es[target] = finish
    project = max(ef, default=0)

    lf = [project] * count
    ls = [0] * count
    for node in reversed(order):
        latest = project
        for target in successors[node]:
            if ls[target] < latest:
                latest = ls[target]
        lf[node] = latest
        ls[node] = latest - duration[node]

    timings = {keys[n]: Timing(es[n], ef[n], ls[n], lf[n]) for n in range(count)}
    return Schedule(timings=timings, duration=project, path=_one_path(keys, order, successors, es, ef, ls))


def _one_path(keys, order, successors, es, ef, ls) -> list:
    """Follow critical tasks from the earliest critical start through tight links to the end."""
    critical = [node for node in order if ls[node] == es[node]]
    if not critical:
        return []
    node = min(critical, key=lambda n: (es[n], n))
    path = [node]
    while True:
        following = [t for t in successors[node] if ls[t] == es[t] and es[t] == ef[node]]
        if not following:
            break
        node = min(following)
        path.append(node)
    return [keys[node] for node in path]


def find_path(
    successors: Mapping[Hashable, Iterable[Hashable]], start: Hashable, goal: Hashable
) -> list | None:
    """A path start … goal along the edges (breadth-first, so a shortest one), or None."""
    if start == goal:
        return [start]
    came_from: dict[Hashable, Hashable] = {start: start}
    frontier = [start]
    for node in frontier:
        for target in successors.get(node, ()):
            if target in came_from:
                continue
            came_from[target] = node
            if target == goal:
                path = [goal]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                path.reverse()
                return path
            frontier.append(target)
    return None
