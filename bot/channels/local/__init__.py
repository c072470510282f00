"""The local channel: the terminal as a platform (see channel.py, outbound.py, people.py,
terminal.py)."""

from bot.channels.local.channel import LocalChannel
from bot.channels.local.outbound import LocalOutbound
from bot.channels.local.people import LOCAL_CAPABILITIES, LOCAL_USER_ID, split_speaker
from bot.channels.local.terminal import (
    CONTINUATION_PROMPT,
    PROMPT,
    LineAssembler,
    StreamTerminal,
    Terminal,
)

__all__ = ["CONTINUATION_PROMPT", "LOCAL_CAPABILITIES", "LOCAL_USER_ID", "PROMPT",
           "LineAssembler", "LocalChannel", "LocalOutbound", "StreamTerminal", "Terminal",
           "split_speaker"]
