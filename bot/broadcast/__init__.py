"""Guidance broadcasts: officers push a message to their units' members and groups, with
delivery tracked through a durable outbox and reading confirmed by the recipients.

Modules, each with one job:
  models      the tables (Broadcast, BroadcastRecipient, Delivery, BroadcastEvent)
  transport   the per-platform Transport protocol, the outbound message and the error kinds
  ratelimit   global, per-chat and per-group send pacing
  outbox      claiming due rows (leases, SKIP LOCKED), recording results, backoff
  worker      the loop that claims, paces, sends and records; progress and final reports
  recipients  who a broadcast reaches (members by role, their private chats, units' groups)
  service     compose, preview, confirm, schedule, cancel, remind, read confirmations (authorised)
  report      progress text, per-unit delivery and confirmation report, the audit listing
  handlers    the chat conversation (commands and buttons) on top of the service
  telegram_transport   the Telegram Transport (python-telegram-bot `Bot`)
  zalo_transport       the Zalo Transport (the Zalo channel's client; no buttons, no edits)
  text_replies         typed stand-ins for buttons: «đã đọc» replies, "/chuadoc 5" hints

This package's __init__ stays import-free: bot.storage.database imports `models` from here.
"""
