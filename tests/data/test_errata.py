"""The errata register: each entry points at real seed lines, names only facts and errata that
exist, summarises the studies instead of copying them, and the documentation counts it as the data do."""

import re

from conftest import ROOT

from oss_analysis.extract import transcriptions

SEEDS = {"thesis": "004_2afbd09316cb29ad.txt", "article": "000_24b3fdd5dde4b019.txt"}
TEXT = ["statement_a", "statement_b", "reading_used", "reason"]
RUN = 10  # words in a row shared with a seed that count as copying (titles and quoted figures are shorter)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def test_every_erratum_points_at_non_blank_seed_lines(seeds):
    lines = {study: (seeds / f).read_text(encoding="utf-8").split("\n") for study, f in SEEDS.items()}
    for r in transcriptions.load_raw("errata").itertuples():
        for study, line in ((r.study_a, r.seed_line_a), (r.study_b, r.seed_line_b)):
            assert 1 <= line <= len(lines[study]), f"{r.erratum_id}: the {study} has no line {line}"
            assert lines[study][line - 1].strip(), f"{r.erratum_id}: {study} line {line} is blank"


def test_errata_summarise_the_studies_in_their_own_words(seeds):
    runs = set()
    for f in SEEDS.values():
        w = words((seeds / f).read_text(encoding="utf-8"))
        runs |= {tuple(w[i : i + RUN]) for i in range(len(w) - RUN + 1)}
    for r in transcriptions.load_raw("errata").itertuples():
        for column in TEXT:
            w = words(getattr(r, column))
            copied = [" ".join(w[i : i + RUN]) for i in range(len(w) - RUN + 1) if tuple(w[i : i + RUN]) in runs]
            assert not copied, f"{r.erratum_id} {column} copies the seed: {copied[0]!r}"


def test_facts_and_errata_named_in_the_register_exist():
    errata = transcriptions.load_raw("errata")
    facts = set(transcriptions.load_raw("facts")["fact_id"])
    ids = set(errata["erratum_id"])
    for r in errata.itertuples():
        text = " ".join(getattr(r, c) for c in TEXT)
        for ref in re.findall(r"\b[TA]\d{3}\b", text):
            assert ref in facts, f"{r.erratum_id} names fact {ref}, which data/raw/facts.csv lacks"
        for ref in re.findall(r"\bE\d{3}\b", text):
            assert ref in ids and ref != r.erratum_id, f"{r.erratum_id} refers to erratum {ref}"


def test_no_two_errata_compare_the_same_pair_of_passages():
    errata = transcriptions.load_raw("errata")
    pairs = {}
    for r in errata.itertuples():
        key = frozenset({(r.study_a, r.seed_line_a), (r.study_b, r.seed_line_b)})
        assert key not in pairs, f"{r.erratum_id} compares the same passages as {pairs[key]}"
        pairs[key] = r.erratum_id


def test_docs_count_errata_and_facts_as_the_data_do():
    """The hand-written counts (Reviewer guide, layout page of the site) are the files' counts."""
    guide = (ROOT / "docs" / "guides" / "reviewer.md").read_text(encoding="utf-8")
    layout = (ROOT / "docs" / "layout.md").read_text(encoding="utf-8")
    errata = re.search(r"errata\.csv`\): (\d+) inconsistencies", guide)
    facts = re.search(r"\((\d+) facts\)", layout)
    assert errata and int(errata.group(1)) == len(transcriptions.load_raw("errata")), "errata count is stale"
    assert facts and int(facts.group(1)) == len(transcriptions.load_raw("facts")), "the layout's facts count is stale"
