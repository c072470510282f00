"""How a form being filled in looks in chat: one question per field, then the summary to
confirm. Choices, "keep", "skip", "later" and "cancel" are actions: buttons where the chat
has them, numbered lines typed back elsewhere (the channel renders them); a choice can also
be typed by its text.

Action data (≤ 64 bytes): `rp:<op>:<draft id>[:<step>[:<option>]]` — "a" choose option,
"k" keep the last version's value, "s" skip, "p" pause, "x" drop, "ok" submit, "re" start
over; the step in the data makes a button pressed on an older question harmless.
"""

from __future__ import annotations

from bot import messages as bot_texts
from bot.core.types import Action, TextReply
from bot.reports import messages as texts
from bot.reports.config import ReportConfig
from bot.reports.periods import show_day
from bot.reports.submit import FormState, Receipt
from bot.services import form_fields
from bot.storage.models import to_local
from knowledge.text import shorten

MAX_LABEL = 60  # characters of an option on a button


def header(state: FormState) -> str:
    if state.draft.assignment_id is None:
        return state.title
    return texts.FORM_HEADER.format(title=state.title, period=state.period, unit=state.unit)


def question(state: FormState, config: ReportConfig, *, lead: str = "") -> TextReply:
    """The current field's question (or the summary when every field was asked)."""
    if state.at_summary:
        return summary(state, config, lead=lead)
    spec = state.current
    assert spec is not None
    draft_id, step = state.draft.id, state.draft.step
    lines = [lead] if lead else []
    lines.append(header(state))
    if state.resumed:
        done = sum(1 for s in state.fields if s.key in state.answers)
        lines.append(texts.FORM_RESUMED.format(done=done, total=len(state.fields)))
    lines += ["", texts.FORM_QUESTION.format(index=step + 1, total=len(state.fields),
                                             label=spec.label)]
    if not spec.required:
        lines[-1] += " " + texts.FORM_OPTIONAL_HINT
    current = state.answers.get(spec.key, state.previous.get(spec.key))
    if current not in (None, ""):
        lines.append(texts.FORM_CURRENT.format(value=form_fields.show(spec, current)))
    actions: list[Action] = []
    if spec.kind == "choice":
        lines.append(texts.FORM_CHOOSE)
        actions += [Action(shorten(option, MAX_LABEL), f"rp:a:{draft_id}:{step}:{i}")
                    for i, option in enumerate(spec.options)]
    elif spec.kind == "file":
        lines.append(texts.FORM_SEND_FILE.format(limit=config.max_file_mb))
    else:
        kind = bot_texts.FORM_KIND_NAMES.get(spec.kind, spec.kind)
        lines.append(f"{texts.FORM_NEEDS.format(kind=kind)}. {texts.FORM_TYPE_ANSWER}")
    if spec.key in state.previous:
        actions.append(Action(texts.KEEP_BUTTON, f"rp:k:{draft_id}:{step}"))
    if not spec.required:
        actions.append(Action(texts.SKIP_BUTTON, f"rp:s:{draft_id}:{step}"))
    actions += [Action(texts.PAUSE_BUTTON, f"rp:p:{draft_id}"),
                Action(bot_texts.COMPOSE_CANCEL_BUTTON, f"rp:x:{draft_id}")]
    return TextReply("\n".join(lines), tuple(actions))


def summary(state: FormState, config: ReportConfig, *, lead: str = "") -> TextReply:
    draft_id = state.draft.id
    lines = [lead] if lead else []
    if state.draft.assignment_id is None:
        lines.append(state.title)
    else:
        lines.append(texts.SUMMARY_HEADER.format(title=state.title, period=state.period,
                                                 unit=state.unit))
    lines += [f"{i}. {spec.label}: {form_fields.show(spec, state.answers.get(spec.key))}"
              for i, spec in enumerate(state.fields, 1)]
    if state.deadline is not None and state.draft.updated_at > state.deadline:
        lines.append(texts.SUMMARY_LATE.format(deadline=show_day(state.deadline)))
    if state.version > 1:
        lines.append(texts.SUMMARY_VERSION.format(version=state.version))
    return TextReply("\n".join(lines), (
        Action(texts.SUBMIT_FINAL_BUTTON, f"rp:ok:{draft_id}"),
        Action(texts.REDO_BUTTON, f"rp:re:{draft_id}"),
        Action(texts.PAUSE_BUTTON, f"rp:p:{draft_id}"),
        Action(bot_texts.COMPOSE_CANCEL_BUTTON, f"rp:x:{draft_id}")))


def receipt(found: Receipt, at_text: str) -> str:
    if found.kind == "opinion":
        if found.urgent:
            told = found.alerted
            if told is None or (told.unit_told and told.parent_told):
                return texts.FLASH_SAVED.format(id=found.report_id, unit=found.unit)
            if told.unit_told:
                return texts.FLASH_SAVED_UNIT_ONLY.format(id=found.report_id, unit=told.unit)
            if told.parent_told:
                return texts.FLASH_SAVED_PARENT_ONLY.format(id=found.report_id, unit=told.unit,
                                                            parent=told.parent)
            return texts.FLASH_SAVED_NOBODY.format(id=found.report_id, unit=told.unit)
        return texts.OPINION_SAVED.format(id=found.report_id, topic=found.title,
                                          mood=found.period, at=at_text)
    timing = texts.LATE.format(days=found.late_days) if found.late_days else texts.ON_TIME
    return texts.SUBMITTED.format(title=found.title, period=found.period, unit=found.unit,
                                  version=found.version, at=at_text, timing=timing)


def at_text(moment: object) -> str:
    return to_local(moment).strftime("%H:%M %d/%m/%Y")  # type: ignore[arg-type]


__all__ = ["at_text", "header", "question", "receipt", "summary"]
