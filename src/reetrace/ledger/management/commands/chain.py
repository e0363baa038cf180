"""`reetrace chain keygen|checkpoint`: the key and the signed heads that prove the chain
was not rewritten wholesale (`ledger/checkpoints.py`)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reetrace.ledger.checkpoints import (
    CheckpointError,
    checkpoint_make,
    checkpoint_write,
    key_create,
)


class Command(BaseCommand):
    help = "Create the checkpoint signing key, or sign the current chain head into a file."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        keygen = sub.add_parser("keygen", help="create the Ed25519 key (REETRACE_CHECKPOINT_KEY)")
        keygen.add_argument("--if-missing", action="store_true", help="do nothing if it exists")
        checkpoint = sub.add_parser("checkpoint", help="sign the chain head into a file")
        checkpoint.add_argument(
            "--out",
            metavar="FILE",
            help="where to write it (default: var/checkpoints/checkpoint-<position>.json)",
        )

    def handle(self, *args, action, **options):
        try:
            if action == "keygen":
                path = Path(settings.REETRACE_CHECKPOINT_KEY)
                if options["if_missing"] and path.exists():
                    self.stdout.write(f"checkpoint key kept: {path}")
                    return
                self.stdout.write(f"checkpoint key written: {key_create(path)}")
                return
            signed = checkpoint_make()
        except CheckpointError as exc:
            raise CommandError(str(exc)) from exc
        out = Path(
            options["out"]
            or Path(settings.REETRACE_VAR_DIR)
            / "checkpoints"
            / f"checkpoint-{signed.position}.json"
        )
        checkpoint_write(signed, out)
        self.stdout.write(
            f"checkpoint of position {signed.position} (event {signed.event_id}, hash "
            f"{signed.chain_hash[:16]}…) written to {out}; keep a copy outside this system"
        )
