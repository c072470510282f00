"""Everything that speaks Telegram: the adapter (channel), updates in (receive), replies
as HTML (render), the outbound port (outbound, over request), what its errors mean (errors)."""
