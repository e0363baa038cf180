"""`reetrace verify_chain`: the former spelling of `reetrace verify-chain`, kept so that
the scripts and schedules that type it still run (commands are spelt with hyphens)."""

from importlib import import_module

Command = import_module("reetrace.ledger.management.commands.verify-chain").Command
