"""`reetrace integrity`: the scheduled chain verification, for cron (e.g. nightly:
`15 2 * * * reetrace integrity`). A break raises a critical alert and exits non-zero."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reetrace.compliance.models import Alert
from reetrace.compliance.tasks import chain_verification


class Command(BaseCommand):
    help = "Verify the hash chain as a background task; a break raises a critical alert."

    def handle(self, *args, **options):
        job = chain_verification.enqueue()
        if not job.is_finished:
            self.stdout.write(f"chain verification queued as job {job.id}")
            return
        result = job.return_value
        if result["alert"] is not None:
            alert = Alert.objects.get(pk=result["alert"])
            raise CommandError(f"critical alert {alert.pk} raised: {alert.explanation}")
        self.stdout.write(f"hash chain intact: {result['events_checked']} events verified")
