"""The conversation engine: pure decisions, no Telegram, no SQL.

A driver (Telegram or the terminal console) turns what a person did into an
:class:`~flows.model.Inbound`, loads the saved :class:`~flows.model.Session`,
and asks :class:`~flows.engine.Engine` what happens next. Everything the engine
needs from the world comes in through the small Protocols in :mod:`flows.ports`.
"""
