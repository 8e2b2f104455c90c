"""`oss-build check-manifest`: outputs whose recorded inputs changed are named."""

import json

import pytest
from conftest import edit

pytestmark = pytest.mark.usefixtures("fresh_caches")


def test_check_manifest_notices_a_hand_edited_table(project):
    from oss_analysis.pipeline import manifest

    rec = {"sha256": "x", "notebook": "n", "parameters": {}, "inputs": {"data/processed/eiu_2008.csv": "x"}}
    edit(project, "data/processed/eiu_2008.csv", lambda t: t.replace("3.89", "4.89", 1))
    problems = manifest.unfaithful_tables({"outputs": {"figures/thesis_table_04.csv": rec}})
    assert len(problems) == 1 and problems[0].startswith("data/processed/eiu_2008.csv, line ")


def test_check_manifest_takes_staleness_from_snakemake(project, monkeypatch):
    """Snakemake's summary says what is stale; the manifest's hashes name the inputs whose content
    changed and notice an output edited after the build, which Snakemake takes for up to date."""

    from oss_analysis.files import sha256
    from oss_analysis.pipeline import manifest

    def rec(out, inputs):
        return {"sha256": sha256(project / out), "notebook": "n", "parameters": {}, "inputs": inputs}

    raw = "data/raw/thesis_table_04_eiu.csv"
    outputs = {
        "figures/thesis_table_04.csv": rec("figures/thesis_table_04.csv", {raw: "x"}),  # content changed
        "figures/thesis_table_04.md": rec("figures/thesis_table_04.md", {raw: "x"}),  # Snakemake: up to date
        "figures/thesis_table_03.csv": rec("figures/thesis_table_03.csv", {}) | {"sha256": "x"},  # edited
        "figures/thesis_table_02.csv": rec("figures/thesis_table_02.csv", {}),  # its rule changed
        "figures/gone.csv": {"sha256": "x", "inputs": {}},
    }
    (project / "build").mkdir(exist_ok=True)
    (project / "build/manifest.json").write_text(json.dumps({"outputs": outputs}))

    def row(status="ok", plan="no update", inputs="-"):
        return {"status": status, "plan": plan, "input-file(s)": inputs}

    summary = {
        "figures/thesis_table_04.csv": row(plan="update pending"),
        "figures/thesis_table_04.md": row(),
        "figures/thesis_table_03.csv": row(),
        "figures/thesis_table_02.csv": row(plan="update pending", inputs="build/stage/a,build/stage/b"),
        "build/stage/a": row(plan="update pending"),
        "build/stage/b": row("rule implementation changed", "update pending"),
    }
    monkeypatch.setattr(manifest, "snakemake_summary", lambda: summary)
    assert manifest.stale() == [
        "figures/gone.csv: no longer an output of the build",
        "figures/thesis_table_02.csv: stale, Snakemake would rebuild it (build/stage/b: rule implementation changed)",
        "figures/thesis_table_03.csv: differs from the build that the manifest records",
        f"figures/thesis_table_04.csv: stale, inputs changed since it was built: {raw}",
    ]



def test_figures_holds_only_the_builds_outputs(project):
    """Issue 23: papermill into figures/ left files that `make all` kept and published around."""
    from oss_analysis.errors import DataError
    from oss_analysis.pipeline import manifest

    assert manifest.check_published() == []
    (project / "figures" / ".thesis_table_02.csv.abc.tmp").write_text("a killed write's leftover\n")
    assert manifest.check_published() == []
    (project / "figures" / "mine.png").write_text("x")
    with pytest.raises(DataError) as info:
        manifest.check_published()
    assert str(info.value) == (
        "figures/mine.png: not an output of the build; move it out of figures/ or delete it "
        "(hand runs write to build/scratch/)"
    )
    (project / "figures" / "mine2.csv").write_text("x")
    with pytest.raises(DataError, match=r"^figures/mine.png: not an output of the build \(and 1 more\)"):
        manifest.check_published()
    with pytest.raises(DataError):  # whichever notebooks the build runs
        manifest.check_published(None, ["satisfaction"])


def test_a_published_output_that_is_not_the_builds_is_published_again(project):
    import os

    from oss_analysis import notebook_specs
    from oss_analysis.pipeline import manifest, runner

    name = "satisfaction"
    stage = project / "build" / "stage" / name
    stage.mkdir(parents=True)
    outputs = notebook_specs.notebooks()[name].outputs
    for o in outputs:
        (stage / o).write_bytes((project / "figures" / o).read_bytes())
        os.utime(stage / o, (1, 1))
    manifest.write_entry(name, manifest.notebook_entry(name, runner.load_params(name, None, []), stage))
    assert manifest.check_published() == []
    (project / "figures" / outputs[0]).write_bytes(b"foreign")
    assert manifest.check_published() == [
        f"figures/{outputs[0]} was not the build's own output: published again"
    ]
    assert (stage / outputs[0]).stat().st_mtime > (project / "figures" / outputs[0]).stat().st_mtime - 1
    assert (stage / outputs[1]).stat().st_mtime == 1
