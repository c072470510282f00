"""What a recipient sees: the broadcast's text with its header, document number, deadline
and the "Đã đọc" action. Plain text; each transport renders it for its platform."""

from __future__ import annotations

from bot.broadcast.models import Broadcast
from bot.core.types import Action
from bot.storage.models import to_local
from bot.broadcast import messages as broadcast_texts
def confirm_action(broadcast: Broadcast) -> Action:
    """The "Đã đọc" button; a reminder's button confirms the original broadcast."""
    root = broadcast.parent_id or broadcast.id
    return Action(broadcast_texts.BROADCAST_READ_BUTTON, f"rd:{root}")


def recipient_text(broadcast: Broadcast, sender: str, *, buttons: bool = True) -> str:
    """`buttons=False` (Zalo): the reader is asked to reply «đã đọc» instead of pressing."""
    header = broadcast_texts.BROADCAST_REMINDER_HEADER if broadcast.parent_id else broadcast_texts.BROADCAST_HEADER
    lines = [header.format(sender=sender)]
    if broadcast.doc_number:
        lines.append(broadcast_texts.BROADCAST_DOC_LINE.format(number=broadcast.doc_number))
    lines += ["", broadcast.text.strip()]
    if broadcast.require_confirmation:
        lines.append("")
        if broadcast.deadline_at is not None:
            deadline = to_local(broadcast.deadline_at).strftime("%H:%M %d/%m/%Y")
            by = broadcast_texts.BROADCAST_CONFIRM_BY if buttons else broadcast_texts.BROADCAST_CONFIRM_BY_TYPED
            lines.append(by.format(deadline=deadline))
        else:
            lines.append(broadcast_texts.BROADCAST_CONFIRM_PLEASE if buttons
                         else broadcast_texts.BROADCAST_CONFIRM_PLEASE_TYPED)
    return "\n".join(lines)


def recipient_actions(broadcast: Broadcast) -> tuple[Action, ...]:
    return (confirm_action(broadcast),) if broadcast.require_confirmation else ()


__all__ = ["confirm_action", "recipient_actions", "recipient_text"]
