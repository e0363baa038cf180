"""`reetrace verify_chain`: prove that no stored event was edited, reordered or removed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reetrace.ledger.chain import chain_verify


class Command(BaseCommand):
    help = "Recompute the event hash chain and report the first break, if any."

    def handle(self, *args, **options):
        checked, broken = chain_verify()
        if broken is not None:
            raise CommandError(
                f"hash chain broken at event {broken.event_id} (position {broken.position} "
                f"of {checked}): {broken.reason}"
            )
        self.stdout.write(f"hash chain intact: {checked} events verified")
