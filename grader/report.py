"""Score tables and the score-distribution figure."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from . import catalog
from .autograde import Outcome

__all__ = ["score_table", "plot_distribution", "pass_rates", "pass_rate_table"]


def score_table(outcomes: Sequence[Outcome]) -> str:
    """A text table: one row per student and assignment, one column per exercise."""
    lines: list[str] = []
    for assignment in dict.fromkeys(o.assignment for o in outcomes):
        exercises = catalog.for_assignment(assignment)
        ids = [ex.grade_id for ex in exercises]
        rows = [o for o in outcomes if o.assignment == assignment]
        width = max([len("student"), *(len(o.student) for o in rows)])
        head = ["student".ljust(width), *(f"{gid}/{ex.points:g}" for gid, ex in zip(ids, exercises)), "total"]
        lines.append(f"{assignment}")
        lines.append("  ".join(head))
        for o in rows:
            if not o.graded:
                lines.append(f"{o.student.ljust(width)}  not graded: {o.reason}")
                continue
            cells = [o.student.ljust(width)]
            for gid, h in zip(ids, head[1:]):
                cells.append(f"{o.exercises.get(gid, 0.0):g}".rjust(len(h)))
            cells.append(f"{o.score:g}/{o.max_score:g}")
            if o.reason:
                cells.append(f"({o.reason})")
            lines.append("  ".join(cells))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def pass_rates(outcomes: Sequence[Outcome]) -> dict[str, float]:
    """Fraction of graded submissions with full points, per exercise id."""
    rates = {}
    for ex in catalog.exercises():
        graded = [o for o in outcomes if o.assignment == ex.assignment and o.graded]
        if graded:
            rates[ex.id] = sum(o.exercises.get(ex.grade_id, 0.0) >= ex.points for o in graded) / len(graded)
    return rates


def pass_rate_table(outcomes: Sequence[Outcome]) -> str:
    """A text table: per exercise, how many graded submissions got full points, and the rate."""
    rates = pass_rates(outcomes)
    rows = [ex for ex in catalog.exercises() if ex.id in rates]
    if not rows:
        return "no graded submissions\n"
    width = max(len("exercise"), *(len(ex.id) for ex in rows))
    lines = [f"{'exercise'.ljust(width)}  passed  rate", f"{'-' * width}  ------  ----"]
    for ex in rows:
        graded = [o for o in outcomes if o.assignment == ex.assignment and o.graded]
        passed = sum(o.exercises.get(ex.grade_id, 0.0) >= ex.points for o in graded)
        lines.append(f"{ex.id.ljust(width)}  {f'{passed}/{len(graded)}':>6}  {rates[ex.id]:4.0%}")
    failed = sum(not o.graded for o in outcomes)
    lines.append(f"{len(outcomes) - failed} graded, {failed} not graded")
    return "\n".join(lines) + "\n"


def plot_distribution(outcomes: Sequence[Outcome], path: Path) -> Path:
    """Histogram of each student's total score (percent of the maximum), one PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    totals: dict[str, list[float]] = {}
    for o in outcomes:
        t = totals.setdefault(o.student, [0.0, 0.0])
        t[0] += o.score
        t[1] += o.max_score or sum(ex.points for ex in catalog.for_assignment(o.assignment))
    pct = [100.0 * s / m if m else 0.0 for s, m in totals.values()]
    fig, ax = plt.subplots(figsize=(6, 3.5), constrained_layout=True)
    ax.hist(pct, bins=[i * 10 for i in range(11)], color="#4c72b0", edgecolor="white")
    ax.set_title(f"Score distribution ({len(pct)} students)")
    ax.set_xlabel("total score (% of maximum)")
    ax.set_ylabel("students")
    ax.set_xlim(0, 100)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
