"""Every table of the application, registered on SQLModel's metadata by importing the models
(as SQLModel's docs do), before `create_all` or the schema upgrade (bot.storage.schema) runs.
A feature with tables adds its models here."""

from __future__ import annotations

import bot.ask.models  # noqa: F401
import bot.broadcast.models  # noqa: F401
import bot.inbox.models  # noqa: F401
import bot.polls.models  # noqa: F401
import bot.reports.models  # noqa: F401
import bot.storage.models  # noqa: F401
import bot.study.models  # noqa: F401
