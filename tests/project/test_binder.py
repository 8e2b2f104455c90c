"""Binder installs exactly the build lock."""


from conftest import ROOT


def test_binder_installs_the_exact_build_lock():
    reqs = (ROOT / "binder" / "requirements.txt").read_text().split()
    assert "../requirements/build.lock" in reqs
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"

