"""`reetrace lake export --out PATH` and `reetrace lake verify PATH`: the ledger as Parquet.

PATH is a directory or an object-store URI (s3://, s3a://, gs://, hdfs://, or any
fsspec scheme). See `lake/export.py` for what an incremental export writes and
`lake/verify.py` for what a verification proves.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reetrace.core.errors import ReetraceError
from reetrace.lake.export import lake_export
from reetrace.lake.storage import LakeLocationError, lake_open
from reetrace.lake.verify import lake_verify


class Command(BaseCommand):
    help = "Export the ledger to a Parquet data lake (incrementally), or verify a lake."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the months changed since the last export")
        export.add_argument("--out", required=True, metavar="PATH", help="directory or URI")
        export.add_argument("--json", action="store_true", help="print the result as JSON")
        verify = sub.add_parser("verify", help="check files, row counts and the chain position")
        verify.add_argument("path", metavar="PATH", help="directory or URI")
        verify.add_argument(
            "--no-database",
            action="store_true",
            help="check the lake alone, not that the ledger's chain holds its head hash",
        )
        verify.add_argument("--json", action="store_true", help="print the verdict as JSON")

    def handle(self, *args, action, **options):
        console = Console(file=self.stdout, width=120)
        location = options["out"] if action == "export" else options["path"]
        try:
            lake = lake_open(location, create=action == "export")
        except (LakeLocationError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        with _bar(console, options["json"]) as step:
            try:
                if action == "export":
                    result = lake_export(lake, progress=step)
                else:
                    verdict = lake_verify(
                        lake, against_database=not options["no_database"], progress=step
                    )
            except ReetraceError as exc:
                raise CommandError(exc.message) from exc
            except OSError as exc:
                raise CommandError(f"{location}: {exc}") from exc
        if action == "export":
            self._exported(console, result, options["json"])
        else:
            self._verified(console, verdict, options["json"])

    def _exported(self, console, result, as_json: bool) -> None:
        chain = result.manifest.chain
        if as_json:
            body = {
                "export": result.manifest.export,
                "position": chain.position,
                "head_hash": chain.head_hash,
                "months": result.months,
                "rows": result.rows,
                "bytes": result.bytes,
            }
            self.stdout.write(json.dumps(body, indent=1))
            return
        console.print(
            f"export {result.manifest.export}: chain position {chain.position} "
            f"(head {chain.head_hash[:16]}…), {len(result.months)} month(s) written "
            f"({', '.join(result.months) or 'none changed'}), {result.rows:,} rows, "
            f"{result.bytes / 1e6:,.1f} MB"
        )

    def _verified(self, console, verdict, as_json: bool) -> None:
        chain = verdict.manifest.chain if verdict.manifest else None
        if as_json:
            body = {
                "ok": verdict.ok,
                "position": chain.position if chain else None,
                "head_hash": chain.head_hash if chain else None,
                "files": verdict.files,
                "rows": verdict.rows,
                "problems": verdict.problems,
            }
            self.stdout.write(json.dumps(body, indent=1))
        elif verdict.ok:
            console.print(
                f"lake verified: {verdict.files} files, {verdict.rows:,} rows, the ledger "
                f"as of chain position {chain.position} (head {chain.head_hash[:16]}…)"
            )
        if not verdict.ok:
            raise CommandError("lake not verified:\n" + "\n".join(verdict.problems))


class _bar:
    """A Rich progress bar over tables, handing out the step callback."""

    def __init__(self, console: Console, quiet: bool):
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
        self.progress = Progress(*columns, TimeElapsedColumn(), console=console, disable=quiet)

    def __enter__(self):
        self.progress.__enter__()
        task = self.progress.add_task("tables", total=None)

        def step(name: str, index: int, total: int) -> None:
            self.progress.update(task, completed=index, total=total, description=name)

        return step

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)
