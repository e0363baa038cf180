"""Runs inside the peer's own virtualenv (never imported by reetrace): QU4RTET's
`quartet-epcis` capturing EPCIS 1.2 XML documents, timed.

A minimal Django project around the two apps its models need (`quartet_capture`,
whose migrations `quartet_epcis`'s first migration imports, and `quartet_epcis`),
migrated into the database given, then each document parsed, in order, by the
parser QU4RTET's own EPCIS capture rule uses by default
(`BusinessEPCISParser`, business rules enforced: the rule's `LooseEnforcement` is
False), which saves the events to the database. Only the parsing is timed; the
documents are read into memory first. Prints one JSON object.

    python quartet_run.py --database URL_OR_SQLITE_PATH --documents DIR
"""

import argparse
import io
import json
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit


def _database(spec: str) -> dict:
    if not spec.startswith("postgres"):
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": spec}
    url = urlsplit(spec)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": url.path.lstrip("/"),
        "USER": url.username or "",
        "PASSWORD": url.password or "",
        "HOST": url.hostname or "",
        "PORT": str(url.port or ""),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--documents", required=True)
    options = parser.parse_args()

    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY="peer-bench-only",
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "quartet_capture",
            "quartet_epcis",
        ],
        DATABASES={"default": _database(options.database)},
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    )
    django.setup()
    warnings.simplefilter("ignore")  # its naive recordTime warns once per event

    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from quartet_epcis.models import events
    from quartet_epcis.parsing.business_parser import BusinessEPCISParser

    documents = [path.read_bytes() for path in sorted(Path(options.documents).glob("*.xml"))]
    seconds = cpu_seconds = 0.0
    for document in documents:
        start, cpu_start = time.perf_counter(), time.process_time()
        BusinessEPCISParser(io.BytesIO(document)).parse()
        seconds += time.perf_counter() - start
        cpu_seconds += time.process_time() - cpu_start
    print(
        json.dumps(
            {
                "documents": len(documents),
                "events": events.Event.objects.count(),
                "quantity_elements": events.QuantityElement.objects.count(),
                "seconds": round(seconds, 3),
                "cpu_seconds": round(cpu_seconds, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
