"""The edges: Telegram and terminal drivers, configuration and the command line."""
