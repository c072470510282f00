"""Quick polls: officers ask their units, members vote on Telegram (native polls) or Zalo
(numbered replies), officers get results per unit as a table, a chart and CSV.

models (tables) · service (create/open/close, authorisation) · anonymity (HMAC keys, wiping) ·
votes (recording from both platforms) · results (merging, text, CSV) · chart (PNG) ·
senders (Telegram / Zalo) · runner (posting, deadlines, final results) · compose (the guided
creation) · handlers (the core's commands and buttons).
"""
