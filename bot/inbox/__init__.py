"""The durable update inbox: each platform update stored before the platform is told it
arrived, handled, then marked answered. `models` (the table), `queue` (its units of work),
`durable` (`DurableInbox`, the `bot.core.inbox.Inbox` the entry point wires)."""
