"""The lock files CI installs from agree with pyproject.toml: every declared dependency is pinned
at a version its bounds allow, the dev lock pins the runtime set identically, and every pin carries
hashes. (A stale lock after editing pyproject.toml fails here, not on someone's machine.)"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def locked(name: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    entry: str | None = None
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        found = PIN.match(line)
        if found:
            entry = canonicalize_name(found.group(1))
            pins[entry] = found.group(2)
        elif entry and line.strip().startswith("--hash=sha256:"):
            pins[f"{entry} hashed"] = "yes"
    return pins


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
DEV = [Requirement(r) for r in PROJECT["optional-dependencies"]["dev"]]


@pytest.mark.parametrize(
    ("lock", "requirements"), [("requirements.lock", RUNTIME), ("requirements-dev.lock", RUNTIME + DEV)]
)
def test_every_declared_dependency_is_pinned_within_its_bounds(lock: str, requirements: list[Requirement]) -> None:
    pins = locked(lock)
    for requirement in requirements:
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in {lock}: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {requirement.name}=={pins[name]}, outside {requirement.specifier}: run `make lock`"
        )


def test_every_pin_has_hashes_and_the_dev_lock_pins_the_runtime_set_alike() -> None:
    runtime, dev = locked("requirements.lock"), locked("requirements-dev.lock")
    for pins in (runtime, dev):
        unhashed = [name for name in pins if not name.endswith(" hashed") and f"{name} hashed" not in pins]
        assert unhashed == []
    different = {name: (version, dev.get(name)) for name, version in runtime.items() if dev.get(name) != version}
    assert different == {}


def test_the_makefile_installs_the_locks_with_hashes_then_the_project_without_dependencies() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "--require-hashes --no-deps -r requirements.lock" in makefile
    assert "--require-hashes --no-deps -r requirements-dev.lock" in makefile
    assert "--no-deps -e ." in makefile
