"""Where the embedded database lives: anchored to ACCOUNTPLAN_DATA_DIR (by default the checkout's
data folder), never the folder a command happens to be run from; creating it says so once."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from storage.settings import CHECKOUT_DIR, Settings, get_settings


def test_the_default_data_folder_does_not_depend_on_the_cwd(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Before: `./data`, so running from another folder silently made a new empty database."""
    monkeypatch.delenv("ACCOUNTPLAN_DATA_DIR")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = Settings()
    assert settings.data_dir.is_absolute()
    assert settings.data_dir == CHECKOUT_DIR / "data"
    assert settings.database_file == CHECKOUT_DIR / "data" / "accountplan.db"
    assert not str(settings.database_file).startswith(str(elsewhere))


def test_a_new_database_is_announced_once(tmp_path: Path) -> None:
    get_settings.cache_clear()
    first = CliRunner().invoke(cli, ["customers", "list"])
    assert first.exit_code == 0, first.output
    path = (tmp_path / "data" / "accountplan.db").resolve()
    assert first.stderr.strip() == (
        f"note: created a new database at {path} (ACCOUNTPLAN_DATA_DIR or DATABASE_URL picks another)"
    )
    second = CliRunner().invoke(cli, ["customers", "list"])
    assert second.exit_code == 0 and second.stderr == ""
