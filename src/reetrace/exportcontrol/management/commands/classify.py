"""`reetrace classify`: does exporting this product (or lot) on this date need a licence?

The answer names each matched entry with the element, its content and the
threshold, so the exporter can put the reason in the declaration's remarks.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import CommandError

from reetrace.accounts.management.console import ReetraceCommand
from reetrace.core.errors import NotFound
from reetrace.exportcontrol.classification import classify, composition_arg
from reetrace.exportcontrol.selectors import today
from reetrace.exportcontrol.services.applications import lot_classify
from reetrace.ledger.codes import lot_code_validate
from reetrace.ledger.models import Lot
from reetrace.ledger.rules import ceiling_check, composition_parse, compound_of


class Command(ReetraceCommand):
    help = "Classify a product form + composition, or a lot, against the control list."

    def add_arguments(self, parser):
        parser.add_argument("--form", help="e.g. sintered_ndfeb, oxide, metal, target")
        parser.add_argument("--composition", default="", help="e.g. Nd=0.29,Dy=0.021")
        parser.add_argument("--hs", help="declared customs code (10 digits)")
        parser.add_argument("--date", help="YYYY-MM-DD (default: today, China)")
        parser.add_argument("--lot", help="classify this lot instead of --form/--composition")
        parser.add_argument("--json", action="store_true", help="print a JSON document")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            on = date.fromisoformat(options["date"]) if options["date"] else today()
        except ValueError as exc:
            raise CommandError(f"--date {options['date']!r} is not YYYY-MM-DD") from exc
        if options["lot"]:
            code = lot_code_validate(options["lot"], field="lot")
            lot = Lot.objects.select_related("product").filter(code=code).first()
            if lot is None:
                raise NotFound("lot", code, field="lot")
            result = lot_classify(lot=lot, on_date=on, hs_code=options["hs"])
        elif options["form"]:
            composition = composition_parse(composition_arg(options["composition"]))
            ceiling_check(composition, compound_of(options["form"]), field="composition")
            result = classify(options["form"], composition, options["hs"], on)
        else:
            raise CommandError("give --form and --composition, or --lot")
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
            return
        self._print(result)

    def _print(self, result) -> None:
        verdict = "LICENCE REQUIRED" if result.licence_required else "no licence required"
        self.stdout.write(f"{result.form} on {result.on_date}: {verdict}")
        for match in result.matches:
            self.stdout.write(f"  controlled: {match.reason}")
        for match in result.suspended_matches:
            self.stdout.write(f"  suspended:  {match.reason}")
        for match in result.pending_matches:
            self.stdout.write(f"  not yet:    {match.reason}")
        for note in result.notes:
            self.stdout.write(f"  note: {note}")
