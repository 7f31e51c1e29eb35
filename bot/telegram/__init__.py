"""The Telegram driver: updates in, replies out, around the same engine as the console."""
