"""`reetrace bench_run`: the former spelling of `reetrace bench-run`, kept so that the
documented runs that type it still work (commands are spelt with hyphens)."""

from importlib import import_module

Command = import_module("reetrace.bench.management.commands.bench-run").Command
