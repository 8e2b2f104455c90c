"""The pinned environment: one set of versions in the lock files and environment.yml."""

import re

import yaml
from conftest import ROOT


def _lock(path):
    pins = {}
    for line in (ROOT / path).read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version.strip()
    return pins


def _env_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):  # the pip: section
            for item in dep.get("pip", []):
                name, version = item.split("==")
                pins[re.sub(r"[-_.]+", "-", name).lower()] = version
            continue
        name, _, version = dep.partition("=")
        pins[re.sub(r"[-_.]+", "-", name).lower()] = version.lstrip("=")
    return pins


def test_environment_yml_matches_lock_files():
    lock = _lock("requirements/build.lock") | _lock("requirements/lab.lock")
    env = _env_pins()
    python = env.pop("python")
    env.pop("pip")
    assert python.startswith("3.11")
    mismatched = {k: (v, lock.get(k)) for k, v in env.items() if lock.get(k) != v}
    assert not mismatched, f"environment.yml and the lock files disagree (env, lock): {mismatched}"


def test_every_direct_dependency_is_pinned_in_both():
    direct = []
    for path in ("requirements/build.in", "requirements/lab.in"):
        for line in (ROOT / path).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line:
                direct.append(re.sub(r"[-_.]+", "-", line).lower())
    lock = _lock("requirements/build.lock") | _lock("requirements/lab.lock")
    env = _env_pins()
    assert [d for d in direct if d not in lock] == []
    assert [d for d in direct if d not in env] == []
