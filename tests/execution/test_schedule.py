"""The critical path method on small graphs computed by hand, and its invariants on random DAGs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaignflow.execution.schedule import CycleError, Timing, critical_path, find_path, topological_order


def test_it_computes_earliest_and_latest_times_of_a_textbook_network():
    # A(3) → B(2) → D(4); A → C(4) → D; C → E(1). Longest: A, C, D = 11 days.
    durations = {"A": 3, "B": 2, "C": 4, "D": 4, "E": 1}
    edges = [("A", "B"), ("A", "C"), ("B", "D"), ("C", "D"), ("C", "E")]

    plan = critical_path(durations, edges)

    assert plan.duration == 11
    assert plan.timings == {
        "A": Timing(es=0, ef=3, ls=0, lf=3),
        "B": Timing(es=3, ef=5, ls=5, lf=7),
        "C": Timing(es=3, ef=7, ls=3, lf=7),
        "D": Timing(es=7, ef=11, ls=7, lf=11),
        "E": Timing(es=7, ef=8, ls=10, lf=11),
    }
    assert {key: t.slack for key, t in plan.timings.items()} == {"A": 0, "B": 2, "C": 0, "D": 0, "E": 3}
    assert [key for key, t in plan.timings.items() if t.critical] == ["A", "C", "D"]
    assert plan.path == ["A", "C", "D"]


def test_a_milestone_takes_no_time_and_passes_the_finish_on():
    plan = critical_path(
        {"design": 5, "samples ok": 0, "launch": 1}, [("design", "samples ok"), ("samples ok", "launch")]
    )

    assert plan.timings["samples ok"] == Timing(5, 5, 5, 5)
    assert plan.timings["launch"] == Timing(5, 6, 5, 6)
    assert plan.duration == 6


def test_a_release_date_holds_a_task_back_and_gives_its_predecessor_slack():
    # Booking (2 days) could finish on day 2, but training is planned to start on day 6.
    plan = critical_path({"booking": 2, "training": 3}, [("booking", "training")], release={"training": 6})

    assert plan.timings["training"] == Timing(6, 9, 6, 9)
    assert plan.timings["booking"].slack == 4
    assert plan.path == ["training"]


def test_independent_tasks_all_end_at_the_project_finish():
    plan = critical_path({"a": 2, "b": 5}, [])

    assert (plan.timings["a"].lf, plan.timings["a"].slack) == (5, 3)
    assert plan.timings["b"].critical is True


def test_no_tasks_is_an_empty_schedule():
    plan = critical_path({}, [])

    assert (plan.duration, plan.timings, plan.path) == (0, {}, [])


def test_it_names_a_cycle_in_the_order_of_the_arrows():
    with pytest.raises(CycleError) as raised:
        critical_path({"A": 1, "B": 1, "C": 1, "D": 1}, [("D", "A"), ("A", "B"), ("B", "C"), ("C", "A")])

    cycle = raised.value.cycle
    assert cycle[0] == cycle[-1]
    assert len(cycle) == 4
    # Rotate to start at A: A → B → C → A.
    start = cycle.index("A")
    assert cycle[start:-1] + cycle[:start] + ["A"] == ["A", "B", "C", "A"]
    assert str(raised.value) in ("A → B → C → A", "B → C → A → B", "C → A → B → C")


def test_a_self_loop_is_a_cycle():
    with pytest.raises(CycleError) as raised:
        topological_order(1, [[0]])

    assert raised.value.cycle == [0, 0]


def test_find_path_returns_a_shortest_path_or_none():
    successors = {1: [2, 3], 2: [4], 3: [4], 4: []}

    assert find_path(successors, 1, 4) == [1, 2, 4]
    assert find_path(successors, 4, 1) is None
    assert find_path(successors, 3, 3) == [3]


@st.composite
def dags(draw):
    count = draw(st.integers(min_value=1, max_value=40))
    durations = draw(st.lists(st.integers(min_value=0, max_value=15), min_size=count, max_size=count))
    pairs = draw(
        st.lists(st.tuples(st.integers(0, count - 1), st.integers(0, count - 1)), max_size=3 * count)
    )
    # Edges only from a lower to a higher index: always acyclic.
    edges = sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b})
    return dict(enumerate(durations)), edges


def _longest_path_length(durations: dict, edges: list) -> int:
    """Brute force over the index order (which is topological here)."""
    best = {}
    predecessors = {node: [a for a, b in edges if b == node] for node in durations}
    for node in sorted(durations):
        best[node] = durations[node] + max((best[p] for p in predecessors[node]), default=0)
    return max(best.values())


@settings(max_examples=200, deadline=None)
@given(dags())
def test_slack_is_never_negative_and_the_critical_path_spans_the_project(graph):
    durations, edges = graph

    plan = critical_path(durations, edges)

    assert all(t.slack >= 0 for t in plan.timings.values())
    assert plan.duration == _longest_path_length(durations, edges)
    assert sum(durations[node] for node in plan.path) == plan.duration
    assert all(plan.timings[node].critical for node in plan.path)
    for before, after in edges:
        assert plan.timings[after].es >= plan.timings[before].ef
        assert plan.timings[before].lf <= plan.timings[after].ls
    path_edges = set(zip(plan.path, plan.path[1:], strict=False))
    assert path_edges <= set(edges)
    assert any(plan.timings[node].critical for node in durations)
