"""`reetrace epcis hash|validate|capture|export`: EPCIS 2.0 documents.

`hash` prints the CBV 2.0 Event Hash ID of every event, in document order (JSON-LD
or XML, told apart by their first character); `validate` checks a JSON(-LD)
document against GS1's schema and the CBV and an XML one against the event shape
and the CBV, and exits non-zero with one line per problem naming the event index
and the field; `export --enterprise ID --from --to FILE` writes an enterprise's events
as one document, and `capture --user NAME FILE` captures one as that user would
through /epcis/capture.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reetrace.accounts.models import User
from reetrace.core.errors import ReetraceError
from reetrace.epcis.canonical import hash_ids
from reetrace.epcis.capture import CaptureRefused, document_capture
from reetrace.epcis.export import enterprise_document
from reetrace.epcis.models import CaptureJob, Delivery
from reetrace.epcis.scheme import lot_lgtin, party_uri, site_uri
from reetrace.epcis.subscriptions import scheduled_report
from reetrace.epcis.validation import SchemaUnavailable, document_problems, tree_problems
from reetrace.epcis.webhooks import deliveries_send_due
from reetrace.ledger.models import Lot
from reetrace.ledger.rules import CHINA_TIME
from reetrace.registry.models import Enterprise, Site


def _day(raw: str, flag: str) -> datetime:
    """A date (midnight China time, the ledger's reporting clock) or a full timestamp."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise CommandError(f"{flag}: {raw!r} is not a date (YYYY-MM-DD)") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA_TIME)


class Command(BaseCommand):
    help = "EPCIS 2.0 documents: print Event Hash IDs, or validate against the schema and CBV."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        hashing = sub.add_parser("hash", help="print the Event Hash ID of every event")
        hashing.add_argument("file", metavar="FILE", help="EPCIS document, JSON-LD or XML")
        validate = sub.add_parser("validate", help="check a document; non-zero exit if invalid")
        validate.add_argument("file", metavar="FILE", help="EPCIS document, JSON-LD or XML")
        export = sub.add_parser("export", help="write an enterprise's events as EPCIS 2.0")
        export.add_argument("--enterprise", required=True, metavar="ID", help="its identifier")
        export.add_argument("--from", dest="start", required=True, metavar="DATE")
        export.add_argument("--to", dest="end", required=True, metavar="DATE", help="exclusive")
        export.add_argument("file", metavar="FILE", help="where to write the JSON-LD document")
        lgtin = sub.add_parser("lgtin", help="print a lot's LGTIN as a GS1 Digital Link")
        lgtin.add_argument("lot", metavar="LOT", help="lot code RT...")
        gln = sub.add_parser(
            "gln", help="print (assigning if needed) a party's PGLN or a site's SGLN"
        )
        named = gln.add_mutually_exclusive_group(required=True)
        named.add_argument("--enterprise", metavar="ID")
        named.add_argument("--site", metavar="CODE")
        capture = sub.add_parser("capture", help="capture a document as an enterprise's user")
        capture.add_argument("--user", required=True, metavar="USERNAME")
        capture.add_argument("file", metavar="FILE", help="EPCIS document, JSON-LD or XML")
        sub.add_parser(
            "subscriptions",
            help="make the scheduled reports due, send the pending reports and retries due"
            " (cron, each minute)",
        )

    def handle(self, *args, action, file=None, **options):
        if action == "export":
            return self._export(file, options)
        if action in {"lgtin", "gln"}:
            return self._identifier(action, options)
        if action == "subscriptions":
            made = scheduled_report(timezone.now().replace(second=0, microsecond=0))
            ended = deliveries_send_due(timezone.now())
            self.stdout.write(
                f"{len(made)} scheduled report(s) made; {sum(ended.values())} report(s) sent: "
                + ", ".join(f"{ended[s]} {s}" for s in Delivery.Status.values)
            )
            return None
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        try:
            if action == "capture":
                return self._capture(data, file, options["user"])
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

    def _export(self, file: str, options) -> None:
        enterprise = Enterprise.objects.filter(identifier=options["enterprise"]).first()
        if enterprise is None:
            raise CommandError(f"--enterprise: no enterprise {options['enterprise']!r}")
        start, end = (
            _day(options[name], f"--{flag}") for name, flag in (("start", "from"), ("end", "to"))
        )
        document = enterprise_document(enterprise, start, end)
        try:
            Path(file).write_text(json.dumps(document, indent=1, default=str), encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}") from exc
        count = len(document["epcisBody"]["eventList"])
        self.stdout.write(f"{file}: {count} event(s) of {enterprise.identifier}")

    def _identifier(self, action: str, options) -> None:
        if action == "lgtin":
            lot = (
                Lot.objects.filter(code=options["lot"]).values_list("code", "product__code").first()
            )
            if lot is None:
                raise CommandError(f"no lot {options['lot']!r}")
            self.stdout.write(lot_lgtin(*lot))
        elif options["enterprise"]:
            enterprise = Enterprise.objects.filter(identifier=options["enterprise"]).first()
            if enterprise is None:
                raise CommandError(f"--enterprise: no enterprise {options['enterprise']!r}")
            self.stdout.write(party_uri(enterprise))
        else:
            site = Site.objects.filter(code=options["site"]).first()
            if site is None:
                raise CommandError(f"--site: no site {options['site']!r}")
            self.stdout.write(site_uri(site))

    def _capture(self, data: bytes, file: str, username: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"--user: no user {username!r}")
        job = CaptureJob.objects.create(submitted_by=user, reporter_id=user.enterprise_id)
        kind = "application/xml" if data.lstrip().startswith(b"<") else "application/ld+json"
        try:
            outcome = document_capture(user=user, data=data, content_type=kind, job=job)
        except CaptureRefused as refused:
            for error in refused.errors:
                self.stderr.write(
                    f"{file}: event {error['index']}: {error['field']}: {error['message']}"
                )
            raise CommandError(f"{file}: {refused.title}") from refused
        self.stdout.write(
            f"{file}: {len(outcome.created)} event(s) captured, {len(outcome.replayed)} replayed"
        )

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
