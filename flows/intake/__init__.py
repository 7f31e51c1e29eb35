"""Requests to the coordinators: the questions after consent, their validation, the summary,
and reminders for unfinished drafts. ``flows.intake.flow.register`` wires it into the router.

Deliberately empty of imports: ``flows.tickets`` reads answers through
``flows.intake.summary`` while ``flows.intake.flow`` hands finished answers to the tickets.
"""
