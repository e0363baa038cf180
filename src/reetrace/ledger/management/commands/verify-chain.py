"""`reetrace verify-chain`: prove that no stored event or row it wrote was edited,
reordered, removed or added, optionally against a signed checkpoint."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reetrace.ledger.chain import chain_verify
from reetrace.ledger.checkpoints import CheckpointError, checkpoint_read, checkpoint_verify


class Command(BaseCommand):
    help = (
        "Recompute the hash chain from the stored events and rows and report the first "
        "break (event, table, field); with --checkpoint, prove the chain extends a signed head."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            help="a checkpoint written by `reetrace chain checkpoint`",
        )

    def handle(self, *args, checkpoint=None, **options):
        checked, broken = chain_verify()
        if broken is not None:
            raise CommandError(f"{broken} ({checked} events checked)")
        self.stdout.write(f"hash chain intact: {checked} events verified, rows and summary too")
        if checkpoint:
            try:
                signed = checkpoint_read(checkpoint)
                checkpoint_verify(signed)
            except CheckpointError as exc:
                raise CommandError(f"checkpoint {checkpoint}: {exc}") from exc
            self.stdout.write(
                f"the chain extends the checkpoint of {signed.signed_at} "
                f"(position {signed.position}, hash {signed.chain_hash[:16]}…)"
            )
