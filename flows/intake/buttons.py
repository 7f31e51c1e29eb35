"""The intake's button data. Buttons stay in people's chats for days (a reminder's even
after a restart), so these values never change; only their names are for reading.

``v1:req[:go|new|del]`` opens, continues, restarts or deletes a request (the menu, the
draft question, reminders); ``v1:in:<step>:<action>[:<value>]`` answers the question the
draft is waiting on, and is refused as stale for any other step.
"""

from __future__ import annotations

REQUEST_BUTTON = "req"
CONTINUE, START_AGAIN, DELETE = "go", "new", "del"

INTAKE_BUTTON = "in"
# A choice (with its value), a tick of a multiple choice (with the option), and its end.
CHOOSE, TOGGLE, DONE = "v", "t", "done"
BACK, SKIP, KEEP = "back", "skip", "keep"
# Cancelling asks first; "again" shows the question once more (after "not in Chiyoda").
CANCEL, CANCEL_YES, CANCEL_NO, AGAIN = "cancel", "cancel_yes", "cancel_no", "again"
# On the summary: change one answer (with its field), or send the request.
EDIT, SEND = "edit", "send"
