"""What the bot does, channel-agnostic and synchronous: each function takes a SQLModel
Session (the async core calls them through `Database.run`) and checks the actor's rights."""
