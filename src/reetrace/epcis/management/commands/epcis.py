"""`reetrace epcis hash FILE` and `reetrace epcis validate FILE`: EPCIS 2.0 documents.

`hash` prints the CBV 2.0 Event Hash ID of every event, in document order (JSON-LD
or XML, told apart by their first character); `validate` checks a JSON(-LD)
document against GS1's schema and the CBV and an XML one against the event shape
and the CBV, and exits non-zero with one line per problem naming the event index
and the field.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reetrace.core.errors import ReetraceError
from reetrace.epcis.canonical import hash_ids
from reetrace.epcis.validation import SchemaUnavailable, document_problems, tree_problems


class Command(BaseCommand):
    help = "EPCIS 2.0 documents: print Event Hash IDs, or validate against the schema and CBV."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        hashing = sub.add_parser("hash", help="print the Event Hash ID of every event")
        hashing.add_argument("file", metavar="FILE", help="EPCIS document, JSON-LD or XML")
        validate = sub.add_parser("validate", help="check a document; non-zero exit if invalid")
        validate.add_argument("file", metavar="FILE", help="EPCIS document, JSON-LD or XML")

    def handle(self, *args, action, file, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        try:
            if action == "hash":
                for hash_id in hash_ids(data):
                    self.stdout.write(hash_id)
                return
            problems = self._problems(data)
        except ReetraceError as exc:
            raise CommandError(f"{file}: {exc.message}") from exc
        except SchemaUnavailable as exc:
            raise CommandError(str(exc)) from exc
        if problems:
            for problem in problems:
                where = "document" if problem.index is None else f"event {problem.index}"
                self.stderr.write(f"{file}: {where}: {problem.field}: {problem.message}")
            raise CommandError(f"{file}: {len(problems)} problem(s); not valid EPCIS 2.0")
        self.stdout.write(f"{file}: valid EPCIS 2.0")

    @staticmethod
    def _problems(data: bytes):
        text = data.decode("utf-8-sig", errors="replace")
        if text.lstrip().startswith("<"):
            return tree_problems(data)
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise CommandError(f"not JSON: {exc}") from exc
        return document_problems(document)
