"""A poll's results: totals and per unit, merged across every chat and both platforms.

Sources, per unit (the unit the chat was posted for: a member's innermost targeted unit, or
the unit a group is registered to):
- PollVote rows (Zalo votes on any poll while it is open, Telegram answers to named polls):
  one voter each, counting every option they chose;
- PollTally rows: a closed anonymous poll's Zalo votes, already counted per unit;
- the latest counts Telegram reported for each unit's poll of an anonymous poll (`poll`
  updates; forwards share their original's poll and carry none), with its
  `total_voter_count`.
A named Telegram poll's message counts are ignored: its answers are already votes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from bot.polls.models import Poll, PollMessage, PollTally, PollVote
from bot.services import export
from bot.storage.bases import shown_number
from bot.storage.models import Person, Unit, to_local
from bot.polls import messages as poll_texts
@dataclass
class UnitResult:
    unit_id: int
    name: str
    counts: list[int]
    voters: int = 0


@dataclass
class PollResults:
    poll_id: int  # the row (queries); people see and type `number`
    question: str
    options: list[str]
    status: str
    anonymous: bool
    multiple: bool
    units: list[UnitResult] = field(default_factory=list)
    unreachable_chats: int = 0  # not posted: blocked, bot removed from the group, chat gone
    number: int = 0  # "khảo sát #2": given when it was opened (bot.storage.bases.Numbered)

    @property
    def totals(self) -> list[int]:
        return [sum(u.counts[i] for u in self.units) for i in range(len(self.options))]

    @property
    def voters(self) -> int:
        return sum(u.voters for u in self.units)


def compute(session: Session, poll: Poll) -> PollResults:
    assert poll.id is not None
    n = len(poll.options)
    by_unit: dict[int, UnitResult] = {}

    def unit(unit_id: int) -> UnitResult:
        if unit_id not in by_unit:
            by_unit[unit_id] = UnitResult(unit_id, "", [0] * n)
        return by_unit[unit_id]

    unreachable = 0
    for message in session.exec(select(PollMessage).where(col(PollMessage.poll_id) == poll.id)):
        unit(message.unit_id)  # every targeted unit shows, voted or not
        unreachable += message.status == "unreachable"
        if poll.anonymous and message.counts_json:  # a native poll's counts
            target = unit(message.unit_id)
            for i, count in enumerate(json.loads(message.counts_json)[:n]):
                target.counts[i] += int(count)
            target.voters += message.voters
    for tally in session.exec(select(PollTally).where(col(PollTally.poll_id) == poll.id)):
        target = unit(tally.unit_id)
        for i, count in enumerate(json.loads(tally.counts_json)[:n]):
            target.counts[i] += int(count)
        target.voters += tally.voters
    for vote in session.exec(select(PollVote).where(col(PollVote.poll_id) == poll.id)):
        options = [int(i) for i in vote.option_ids.split(",") if i.strip().isdigit()]
        if not options or vote.unit_id is None:
            continue  # retracted
        target = unit(vote.unit_id)
        target.voters += 1
        for i in options:
            if 0 <= i < n:
                target.counts[i] += 1
    names = dict(session.exec(select(Unit.id, Unit.name).where(
        col(Unit.id).in_(list(by_unit)))).all()) if by_unit else {}
    for result in by_unit.values():
        result.name = names.get(result.unit_id, str(result.unit_id))
    return PollResults(poll.id, poll.question, poll.options, poll.status, poll.anonymous,
                       poll.multiple, sorted(by_unit.values(), key=lambda u: u.unit_id),
                       unreachable, shown_number(poll))


@dataclass(frozen=True)
class NamedVote:
    unit: str
    name: str
    platform: str
    options: tuple[int, ...]  # 0-based


def named_votes(session: Session, poll: Poll) -> list[NamedVote]:
    """Who chose what, for a NAMED poll (an anonymous poll has no names: empty)."""
    if poll.anonymous:
        return []
    rows = session.exec(
        select(PollVote, Person.display_name, Unit.name)
        .join(Person, col(Person.id) == col(PollVote.person_id), isouter=True)
        .join(Unit, col(Unit.id) == col(PollVote.unit_id), isouter=True)
        .where(col(PollVote.poll_id) == poll.id, col(PollVote.option_ids) != "")
        .order_by(col(Unit.name), col(Person.display_name))).all()
    return [NamedVote(unit or "", name or "", vote.platform,
                      tuple(int(i) for i in vote.option_ids.split(",") if i.isdigit()))
            for vote, name, unit in rows]


def text(results: PollResults, poll: Poll, named: list[NamedVote] | None = None,
         max_names: int = 60) -> str:
    status = poll_texts.POLL_STATUS_NAMES.get(results.status, results.status)
    lines = [poll_texts.POLL_RESULTS_HEADER.format(id=results.number, question=results.question,
                                              status=status)]
    ends = poll.closed_at if poll.status == "closed" and poll.closed_at else poll.closes_at
    if ends is not None:
        lines.append(poll_texts.POLL_CLOSES_AT.format(at=to_local(ends).strftime("%H:%M %d/%m/%Y")))
    lines.append(poll_texts.POLL_VOTERS.format(count=results.voters))
    totals = results.totals
    for i, option in enumerate(results.options):
        lines.append(f"{i + 1}. {option}: {totals[i]}{_share(totals[i], results.voters)}")
    if results.units:
        lines.append(poll_texts.POLL_BY_UNIT)
        for u in results.units:
            shown = " · ".join(f"{i + 1}: {c}" for i, c in enumerate(u.counts))
            lines.append(f"• {u.name}: {poll_texts.POLL_VOTERS_SHORT.format(count=u.voters)} — {shown}")
    if results.unreachable_chats:
        lines.append(poll_texts.POLL_UNREACHABLE.format(count=results.unreachable_chats))
    if named:
        lines.append(poll_texts.POLL_WHO_CHOSE)
        for vote in named[:max_names]:
            chosen = ", ".join(str(i + 1) for i in vote.options)
            lines.append(f"• {vote.name} ({vote.unit}): {chosen}")
        if len(named) > max_names:
            lines.append(poll_texts.POLL_MORE_NAMES.format(count=len(named) - max_names))
    return "\n".join(lines)


def _share(count: int, voters: int) -> str:
    return f" ({round(100 * count / voters)}%)" if voters else ""


def to_csv(results: PollResults) -> str:
    """One row per unit and option, then the totals (comma-separated; cells made safe for
    spreadsheets by bot.services.export)."""
    rows: list[list[object]] = [list(poll_texts.POLL_CSV_HEADER)]
    for u in results.units:
        for i, option in enumerate(results.options):
            rows.append([results.number, u.unit_id, u.name, i + 1, option, u.counts[i], u.voters])
    for i, option in enumerate(results.options):
        rows.append([results.number, "", poll_texts.POLL_TOTAL, i + 1, option, results.totals[i],
                     results.voters])
    return export.table(rows)


def voters_tsv(named: list[NamedVote]) -> str:
    """Named polls: unit, name, platform and chosen options (1-based), tab-separated, one
    line per voter (`tuyengiao poll voters`)."""
    return export.tsv([vote.unit, vote.name, vote.platform, ",".join(str(i + 1) for i in vote.options)]
                      for vote in named)


__all__ = ["NamedVote", "PollResults", "UnitResult", "compute", "named_votes", "text", "to_csv",
           "voters_tsv"]
