"""`reetrace audit verify`: prove no journal entry was edited, removed, inserted or
reordered since it was appended."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reetrace.audit.journal import journal_verify


class Command(BaseCommand):
    help = "The audit journal: `verify` recomputes every entry's hash and names the first break."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action, **options):
        checked, broken = journal_verify()
        if broken is not None:
            raise CommandError(f"{broken} ({checked} entries checked)")
        self.stdout.write(f"audit journal intact: {checked} entries verified")
