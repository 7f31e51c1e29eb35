"""Information at each stage of the child's growth (成長段階にあった情報提供).

``schedule`` says when each milestone of milestones.yaml falls for a birth month and which
one to send today; ``sending`` queues them for the families who asked; ``delivery`` writes
the message; ``stop`` is the button under each message.
"""

from __future__ import annotations

from flows.milestones.stop import register

__all__ = ["register"]
