"""`tuyengiao init`: the first set-up on the server — the root unit of the organisation and
an invite for its first officer — asked step by step (or given as options), so a new
operator does not have to know the `admin` commands first. On a database that already has
units it shows the tree and changes nothing.

Printing and reading the terminal are allowed here (CLI only).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import timedelta

from tuyengiao.settings import Settings

KINDS = {"tinh": "province", "huyen": "district", "xa": "commune", "chibo": "cell"}


def init(settings: Settings, *, unit: str | None = None, kind: str | None = None,
         invite_days: int | None = None, ask: Callable[[str], str] = input) -> int:
    """Create the root unit and an officer invite; 0 when done (or nothing to do), 1 when
    the answers could not be used, 130 when the operator gave up (end of input)."""
    from bot.services import invites, units
    from bot.services.errors import ServiceError
    from bot.storage import Database, schema, to_local
    import tuyengiao.tables  # noqa: F401  (every table registered)

    db = Database.open(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        schema.upgrade(db)
        if db.call(units.has_units):
            print("Units exist already (nothing changed):")
            print(db.call(units.unit_tree_text, None))
            print("An officer invite: tuyengiao admin invite <unit id> --role officer")
            return 0
        print("No unit yet: first the root of your organisation (the unit every other one "
              "sits under).")
        try:
            unit = unit or _ask_until(ask, "Root unit's name (e.g. Tỉnh ủy Minh Sơn): ",
                                      lambda answer: bool(answer.strip()))
            kind = kind or _ask_until(ask, "Its level [tinh/huyen/xa/chibo]: ",
                                      lambda answer: answer.strip().lower() in KINDS)
        except EOFError:
            print("\nstopped: nothing was created", file=sys.stderr)
            return 130
        root = db.call(units.admin_create_unit, unit, KINDS[kind.strip().lower()], None)
        days = invite_days if invite_days is not None else settings.invite_days
        invite = db.call(invites.admin_create_invite, root.id, "officer",
                         expires_in=timedelta(days=days), max_uses=1)
        until = to_local(invite.expires_at).strftime("%H:%M %d/%m/%Y")
        print(f"Created unit {root.id} «{root.name}» ({root.kind}).")
        print(f"Officer invite for «{root.name}»: {invite.code} (one use, valid until {until}).")
        print(f"The officer sends «/dangky {invite.code}» to the assistant (on Telegram or "
              f"Zalo, or in the terminal chat as «[Name] /dangky {invite.code}»); they then "
              "create sub-units (/taodonvi) and invite members (/taoma).")
        print("Next: make run (or .venv/bin/tuyengiao run).")
        return 0
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    finally:
        db.close()


def _ask_until(ask: Callable[[str], str], prompt: str, valid: Callable[[str], bool]) -> str:
    while True:
        answer = ask(prompt)
        if valid(answer):
            return answer.strip()


__all__ = ["KINDS", "init"]
