"""Workers sharing a platform's overall rate limit.

Each worker's platform loop writes a heartbeat row (worker id, platform, time) about once a
second and counts the workers whose beat is recent; its rate limiter then paces at
limit / count. So two workers on one PostgreSQL outbox send at most the configured overall
rate together, and a single worker gets all of it. A worker that dies stops beating and
drops out of the count after `window` seconds; a clean stop removes its row at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, func, select

from bot.broadcast.models import WorkerBeat


def beat(session: Session, worker_id: str, platform: str, now: datetime,
         window: timedelta) -> int:
    """Record this worker as alive; return how many workers (itself included) are."""
    result = session.exec(  # type: ignore[call-overload]
        update(WorkerBeat)
        .where(col(WorkerBeat.worker_id) == worker_id, col(WorkerBeat.platform) == platform)
        .values(beat_at=now)
    )
    if not result.rowcount:
        session.add(WorkerBeat(worker_id=worker_id, platform=platform, beat_at=now))
        session.flush()
    # Rows of workers dead for long are deleted (the table stays small).
    session.exec(delete(WorkerBeat).where(col(WorkerBeat.beat_at) < now - 10 * window))  # type: ignore[call-overload]
    alive = session.exec(
        select(func.count()).select_from(WorkerBeat)
        .where(col(WorkerBeat.platform) == platform, col(WorkerBeat.beat_at) >= now - window)
    ).one()
    return max(int(alive), 1)


def leave(session: Session, worker_id: str) -> None:
    session.exec(delete(WorkerBeat).where(col(WorkerBeat.worker_id) == worker_id))  # type: ignore[call-overload]


__all__ = ["beat", "leave"]
