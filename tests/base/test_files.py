"""Atomic writes keep the process umask."""


import os
import stat

import pytest

from oss_analysis import files

pytestmark = pytest.mark.usefixtures("fresh_caches")


@pytest.mark.parametrize("mask", [0o022, 0o027])
def test_atomic_write_uses_the_umask(tmp_path, monkeypatch, mask):
    monkeypatch.setattr(files, "_umask", lambda: mask)
    target = files.atomic_write(tmp_path / "a.csv", lambda tmp: open(tmp, "w").write("x\n"))
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask


def test_umask_is_read_from_the_process():
    current = os.umask(0o022)
    os.umask(current)
    assert files._umask() == current

