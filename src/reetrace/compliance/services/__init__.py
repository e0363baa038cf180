"""Writes of the compliance app: detection runs, alert triage, cases."""
