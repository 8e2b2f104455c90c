"""A chart that collides stops the build with one line naming the chart and the two texts, and
leaves the chart's committed files as they were."""

from __future__ import annotations

import json

from conftest import edit, run_build

NOTEBOOK = "notebooks/satisfaction.ipynb"
SAVE = 'style.save_figure(\n    fig, "satisfaction_trend"'
COLLIDE = (
    'fig.axes[0].text(0.25, 0.2, "made-up label", transform=fig.axes[0].transAxes)\n'
    'fig.axes[0].text(0.27, 0.2, "made-up twin", transform=fig.axes[0].transAxes)\n'
)


def collide(text: str) -> str:
    nb = json.loads(text)
    cells = [c for c in nb["cells"] if SAVE in "".join(c["source"])]
    assert len(cells) == 1, "the satisfaction chart's save call moved"
    cells[0]["source"] = "".join(cells[0]["source"]).replace(SAVE, COLLIDE + SAVE)
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def test_a_colliding_chart_stops_the_build_with_one_line(built_copy):
    before = {p.name: p.read_bytes() for p in (built_copy / "figures").glob("satisfaction_trend.*")}
    edit(built_copy, NOTEBOOK, collide)
    proc = run_build(built_copy, check=False)
    assert proc.returncode != 0
    errors = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.startswith("error: ")]
    assert errors and len(set(errors)) == 1, proc.stderr[-2000:]  # the one line (Snakemake's log repeats it)
    assert "DataError: chart satisfaction_trend: text 'made-up label' overlaps text 'made-up twin'" in errors[0]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert {p.name: p.read_bytes() for p in (built_copy / "figures").glob("satisfaction_trend.*")} == before
