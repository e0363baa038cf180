"""The peer repository of the EPCIS step: QU4RTET's `quartet-epcis`, in its own virtualenv.

The bench builds the virtualenv once (`var/bench/peer-venv`, with `python -m venv` and
pip, versions pinned below; rebuilt when the pins change), writes the documents as
files, and runs `quartet_run.py` there against a fresh database of the run's engine.
Installing is not timed. When the peer cannot be installed or run, the step says why
instead of a figure, and prints it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from reetrace.bench.scratch import scratch_url

__all__ = ["PEER_REQUIREMENTS", "peer_capture"]

# quartet-epcis declares no Django pin and imports `quartet_capture` and `haikunator`
# without declaring them; these are the versions resolved from the local index.
PEER_REQUIREMENTS = (
    "quartet-epcis==4.1.5",
    "quartet-capture==4.1.0",
    "haikunator==2.1.0",
    "EPCPyYes==4.0.5",
    "eparsecis==4.0.3",
    "django-model-utils==5.0.0",
    "Django==5.2.20",
    "lxml==6.2.1",
    "psycopg[binary]==3.3.9",
)
RUNNER = Path(__file__).with_name("quartet_run.py")


class PeerUnavailable(Exception):
    """The peer could not be installed or run; the message says why."""


def _run(command: list[str], what: str, timeout: int) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as failed:
        raise PeerUnavailable(f"{what}: {failed}") from failed
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-6:]
        raise PeerUnavailable(f"{what} failed (exit {done.returncode}): " + " | ".join(tail))
    return done.stdout


def peer_python(venv: Path) -> Path:
    """The peer virtualenv's interpreter, building the virtualenv when its pins changed."""
    python = venv / "bin" / "python"
    marker = venv / "reetrace-requirements.txt"
    wanted = "\n".join(PEER_REQUIREMENTS) + "\n"
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    _run([sys.executable, "-m", "venv", str(venv)], "python -m venv", 300)
    _run(
        [str(python), "-m", "pip", "install", "--quiet", *PEER_REQUIREMENTS],
        "pip install " + " ".join(PEER_REQUIREMENTS),
        900,
    )
    marker.write_text(wanted)
    return python


def peer_capture(
    documents: list[bytes], folder: Path, postgres_base: str | None, venv: Path | None = None
) -> dict:
    """Capture the EPCIS 1.2 documents into the peer; its figures, or why it did not run.
    The virtualenv defaults to `peer-venv` beside `folder`."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "documents").mkdir(parents=True)
    for number, document in enumerate(documents, start=1):
        (folder / "documents" / f"{number:06d}.xml").write_bytes(document)
    try:
        python = peer_python(venv or folder.parent / "peer-venv")
        if postgres_base:
            database = scratch_url(postgres_base, folder, "bench_peer")
        else:
            database = str(folder / "peer.sqlite3")
        out = _run(
            [
                str(python),
                str(RUNNER),
                "--database",
                database,
                "--documents",
                str(folder / "documents"),
            ],
            "the peer's capture",
            3600,
        )
        figures = json.loads(out.strip().splitlines()[-1])
    except PeerUnavailable as unavailable:
        print(f"peer (QU4RTET quartet-epcis) not run: {unavailable}", flush=True)
        return {"ran": False, "why": str(unavailable)}
    return {
        "ran": True,
        "name": "QU4RTET quartet-epcis 4.1.5, BusinessEPCISParser, EPCIS 1.2 XML, in process",
        **figures,
    }
