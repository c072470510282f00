"""Units, invites and linking accounts: the commands officers and members use for them."""
