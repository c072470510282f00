"""The first hour of an operator (issue 16, item 3 and 5): `tuyengiao init` on an empty
database and on one with units, and `tuyengiao run --check` passing and failing, one line
per problem."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.telegram_api import TelegramApiServer
from tuyengiao.cli import main
from tuyengiao.first_run import init
from tuyengiao.settings import Settings


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def test_init_asks_for_the_root_unit_and_makes_an_officer_invite(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    answers = iter(["", "Tỉnh ủy Minh Sơn", "thanhpho", "tinh"])
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    assert init(settings, ask=ask) == 0
    out = capsys.readouterr().out
    assert prompts == ["Root unit's name (e.g. Tỉnh ủy Minh Sơn): "] * 2 + [
        "Its level [tinh/huyen/xa/chibo]: "] * 2  # empty name and unknown level asked again
    assert "Created unit 1 «Tỉnh ủy Minh Sơn» (province)." in out
    code = out.split("Officer invite for «Tỉnh ủy Minh Sơn»: ")[1].split()[0]
    assert len(code) == 8 and f"«/dangky {code}»" in out

    assert init(settings, ask=ask) == 0  # units exist: shows them, changes nothing
    again = capsys.readouterr().out
    assert again.startswith("Units exist already (nothing changed):")
    assert "[1] Tỉnh ủy Minh Sơn (tỉnh)" in again


def test_init_stopped_at_end_of_input_creates_nothing(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")

    def ask(prompt: str) -> str:
        raise EOFError

    assert init(settings, ask=ask) == 130
    assert "nothing was created" in capsys.readouterr().err
    assert init(settings, unit="Huyện Đông Hà", kind="huyen") == 0
    assert "Created unit 1 «Huyện Đông Hà» (district)." in capsys.readouterr().out


@pytest.fixture
async def api() -> AsyncIterator[TelegramApiServer]:
    async with TelegramApiServer() as server:
        yield server


@pytest.mark.model
async def test_run_check_passes_then_names_each_problem(
        samples_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], api: TelegramApiServer) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN"):
        monkeypatch.setenv(name, "")
    import asyncio

    rc, out, err = await asyncio.to_thread(run, capsys, "run", "--check", "--store", str(samples_store))
    assert rc == 0, out + err
    [line] = out.splitlines()
    assert line.startswith("ok: database sqlite:///") and "writable; store version " in line
    assert "query model loaded (dimension 384)" in line

    (tmp_path / "a-folder").mkdir()  # SQLite cannot open a folder as its database
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'a-folder'}")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "999:wrong")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", api.base_url)
    rc, out, _ = await asyncio.to_thread(run, capsys, "run", "--check", "--store",
                                         str(tmp_path / "empty-store"))
    assert rc == 1
    problems = out.splitlines()
    assert all(p.startswith("problem: ") for p in problems) and len(problems) == 3, problems
    assert problems[0].startswith(f"problem: database sqlite:///{tmp_path / 'a-folder'} cannot be")
    assert problems[1] == f"problem: no store at {tmp_path / 'empty-store'}: run 'tuyengiao index PATH' first"
    assert "TELEGRAM_BOT_TOKEN" in problems[2] and "nothing was started" in problems[2]
