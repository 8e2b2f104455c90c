"""The README (at most 120 lines) and the guides name only make targets and repository paths
that exist, and the README links each kind of user to its guide."""

import re

from conftest import ROOT

README = ROOT / "README.md"
GUIDES = ROOT / "docs" / "guides"


def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w.-]*)\s*:(?!=)", text, re.M))


def named_paths(text: str) -> list[str]:
    """Repository paths a text names in backticks: a token with a slash or a file suffix, no
    spaces; the first word of a command (`.venv/bin/oss-build check-manifest`) counts too."""
    found = []
    for token in re.findall(r"`([^`\n]+)`", text):
        word = token.split()[0].rstrip(":,;")
        if word.startswith(("make", "http")) or "=" in word or re.fullmatch(r"\.[\w.]+", word):
            continue  # a command, a setting, or a bare suffix such as `.data.csv`
        if "/" in word or re.search(r"\.(md|csv|json|ya?ml|cff|ipynb|py|txt|lock|toml)$", word):
            found.append(word)
    return found


def exists_in_checkout(path: str) -> bool:
    """A path exists in the repository; ``<CODE>``-style placeholders stand for any folder, and
    what the commands make (``.venv/``, ``build/``, a country run) is judged by its parent."""
    if path.startswith(("build/", ".venv/")):  # before placeholders: a clean clone has no build/ yet
        return True  # made by make all / make docs; the guides and tests check these outputs
    if "<" in path:
        return (ROOT / path.split("<")[0]).exists()
    return (ROOT / path.rstrip("/")).exists()


def test_readme_is_short_and_names_only_targets_and_paths_that_exist():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 120
    targets = make_targets()
    named = set(re.findall(r"`make (\w[\w-]*)", text)) | set(re.findall(r"^make (\w[\w-]*)", text, re.M))
    assert named and named - targets == set(), f"README names make targets the Makefile lacks: {named - targets}"
    paths = named_paths(text)
    assert len(paths) > 20
    assert [p for p in paths if not exists_in_checkout(p)] == []
    links = re.findall(r"\]\(((?!http)[^)#]+)\)", text)
    assert {"docs/guides/reader.md", "docs/guides/reviewer.md", "docs/guides/student.md"} <= set(links)
    assert [link for link in links if not (ROOT / link).exists()] == []
    assert "slurm" not in text.lower()


def test_readme_checker_catches_a_missing_path_and_target():
    """The checks above can fail: a made-up path and target are caught."""
    assert not exists_in_checkout("config/nowhere.yaml")
    assert "nowhere" not in make_targets()
    assert named_paths("see `data/raw/errata.csv` and `.venv/bin/oss-build run x`") == [
        "data/raw/errata.csv",
        ".venv/bin/oss-build",
    ]


def test_guides_name_only_targets_and_paths_that_exist():
    targets = make_targets()
    for guide in [*sorted(GUIDES.glob("*.md")), ROOT / "docs" / "index.md", ROOT / "docs" / "benchmark.md"]:
        text = guide.read_text(encoding="utf-8")
        named = set(re.findall(r"`make (\w[\w-]*)", text)) | set(re.findall(r"^make (\w[\w-]*)", text, re.M))
        assert named - targets == set(), guide.name
        # the student guide names the files a student creates: notebooks/my_analysis.ipynb and its params
        made = {"notebooks/my_analysis.ipynb", "config/params/my_analysis.yaml"}
        missing = [p for p in named_paths(text) if p not in made and not exists_in_checkout(p)]
        assert missing == [], f"{guide.name} names missing paths: {missing}"
