"""The lock files are what every machine installs: they hold the versions pyproject.toml
pins, production's holds none of the test tools, and this environment was installed from
the development one, so that a fresh machine gets the versions CI tests."""

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(name: str) -> dict[str, str]:
    lines = (ROOT / "requirements" / name).read_text().splitlines()
    pairs = [line.split("==") for line in lines if "==" in line and not line.startswith("#")]
    return {normalised(package): pinned.strip() for package, pinned in pairs}


def pinned(requirements: list[str]) -> dict[str, str]:
    return {
        normalised(package): pin
        for package, pin in (requirement.split("==") for requirement in requirements)
    }


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
SITE = pinned(PROJECT["dependencies"])
TEST_TOOLS = pinned(PROJECT["optional-dependencies"]["test"])


def test_the_lock_files_hold_the_versions_pyproject_pins():
    development, production = locked("development.txt"), locked("production.txt")
    for package, pin in {**SITE, **TEST_TOOLS}.items():
        assert development.get(package) == pin, package
    for package, pin in SITE.items():
        assert production.get(package) == pin, package
    assert not set(TEST_TOOLS) & set(production)


def test_this_environment_is_installed_from_the_development_lock():
    for package, pin in locked("development.txt").items():
        try:
            installed = version(package)
        except PackageNotFoundError:
            installed = None
        assert installed == pin, f"{package}: {installed} installed, {pin} locked"
