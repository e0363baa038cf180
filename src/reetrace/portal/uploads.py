"""A file upload's life: stored, read, checked by a dry run, then committed at once.

Each upload is a folder under MEDIA_ROOT/portal-uploads/<id>/ holding the file,
the parsed rows, the result of the last check and a small progress file. The
folder, not the session or the database, carries the state between requests so
that a second request (the page polling for progress) can read how far a long
check has got while the first is still running inside its transaction.

The check runs every row through `batch_capture` in chunks inside one transaction
that is rolled back at the end, so later chunks see what earlier ones made and
nothing is saved. The commit does the same without the rollback: all or nothing.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from pydantic import TypeAdapter, ValidationError

from reetrace.accounts.models import User
from reetrace.core.errors import BatchRejected, ErrorCode, FieldError, ReetraceError
from reetrace.ledger.capture import batch_capture, error_from_validation
from reetrace.ledger.schemas import EventIn
from reetrace.portal.spreadsheets import RowError, file_rows

__all__ = ["CHUNK_ROWS", "Upload", "upload_check", "upload_commit", "upload_get", "upload_store"]

CHUNK_ROWS = 500
_EVENT: TypeAdapter = TypeAdapter(EventIn)
FORMATS = {".csv": "csv", ".xlsx": "xlsx"}


def upload_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "portal-uploads"


def _write_json(path: Path, data) -> None:
    """Write beside, then rename: a reader never sees half a file."""
    partial = path.with_suffix(".part")
    partial.write_text(json.dumps(data, default=str), encoding="utf-8")
    os.replace(partial, path)


@dataclass
class Upload:
    id: str
    folder: Path

    def _read(self, name: str, default=None):
        path = self.folder / name
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else default

    @property
    def meta(self) -> dict:
        return self._read("meta.json", {})

    def meta_update(self, **changes) -> None:
        _write_json(self.folder / "meta.json", {**self.meta, **changes})

    def events(self) -> list[tuple[int, dict]]:
        return [(line, event) for line, event in self._read("rows.json", [])]

    @property
    def errors(self) -> list[dict]:
        return self._read("errors.json", [])

    def errors_set(self, errors: list[RowError]) -> None:
        _write_json(self.folder / "errors.json", [e.as_dict() for e in errors])

    @property
    def progress(self) -> dict:
        return self._read("progress.json", {"phase": "", "done": 0, "total": 0})

    def progress_set(self, phase: str, done: int, total: int) -> None:
        _write_json(self.folder / "progress.json", {"phase": phase, "done": done, "total": total})


def upload_store(*, actor: User, name: str, content: bytes) -> Upload:
    """Keep the file, read its rows and record every reading problem."""
    fmt = FORMATS.get(Path(name).suffix.lower())
    if fmt is None:
        raise ReetraceError(ErrorCode.INVALID, "upload a .csv or .xlsx file", field="file")
    upload_id = uuid.uuid4().hex
    upload = Upload(upload_id, upload_root() / upload_id)
    upload.folder.mkdir(parents=True)
    (upload.folder / f"source.{fmt}").write_bytes(content)
    parsed = file_rows(content, fmt)
    _write_json(upload.folder / "rows.json", parsed.events)
    upload.errors_set(parsed.errors)
    upload.meta_update(
        user=actor.pk,
        name=Path(name).name,
        format=fmt,
        rows=len(parsed.events),
        state="invalid" if parsed.errors else "read",
        uploaded_at=timezone.now().isoformat(),
    )
    return upload


def upload_get(*, actor: User, upload_id: str) -> Upload:
    """An upload of this user; anyone else's is not found."""
    try:
        clean = uuid.UUID(hex=upload_id).hex
    except ValueError as exc:
        raise Http404 from exc
    upload = Upload(clean, upload_root() / clean)
    meta = upload.meta
    if not meta:
        raise Http404
    if meta.get("user") != actor.pk:
        raise PermissionDenied
    return upload


def _row_error(chunk: list[tuple[int, dict]], error: FieldError) -> RowError:
    line = chunk[error.index][0] if error.index is not None else None
    return RowError(line, error.field or "", error.message)


def _shape_errors(rows: list[tuple[int, dict]]) -> tuple[list[RowError], list[tuple[int, dict]]]:
    """Rows whose shape is wrong (a missing field, a word where a number goes), and the rest.

    Capture refuses a whole batch on the first shape error before applying any rule,
    so these rows are set aside to let the rule errors of every other row show too.
    """
    errors: list[RowError] = []
    valid = []
    for line, event in rows:
        try:
            _EVENT.validate_python(event)
        except ValidationError as exc:
            errors += [
                RowError(line, e.field or "", e.message) for e in error_from_validation(exc, None)
            ]
        else:
            valid.append((line, event))
    return errors, valid


def _capture_all(upload: Upload, actor: User, phase: str) -> tuple[list[RowError], int]:
    """Capture every chunk in the caller's transaction; errors and events created."""
    errors, rows = _shape_errors(upload.events())
    created = 0
    upload.progress_set(phase, 0, len(rows))
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        try:
            result = batch_capture(actor=actor, items=[event for _, event in chunk])
            created += result.created
        except BatchRejected as rejected:
            errors += [_row_error(chunk, e) for e in rejected.errors]
        upload.progress_set(phase, start + len(chunk), len(rows))
    return sorted(errors, key=lambda e: (e.row or 0, e.column)), created


def upload_check(*, actor: User, upload: Upload) -> list[RowError]:
    """A dry run: every row through capture in a transaction that is rolled back."""
    with transaction.atomic():
        errors, created = _capture_all(upload, actor, "check")
        transaction.set_rollback(True)
    upload.errors_set(errors)
    upload.meta_update(state="invalid" if errors else "checked", would_create=created)
    return errors


class UploadRejected(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} rows rejected")
        self.errors = errors


def upload_commit(*, actor: User, upload: Upload) -> int:
    """Save every row or none; returns the number of events created (resent ones are not)."""
    if upload.meta.get("state") not in ("checked", "committed"):
        raise ReetraceError(ErrorCode.INVALID, "check the file before saving it", field="file")
    try:
        with transaction.atomic():
            errors, created = _capture_all(upload, actor, "commit")
            if errors:
                raise UploadRejected(errors)
    except UploadRejected as rejected:
        upload.errors_set(rejected.errors)
        upload.meta_update(state="invalid")
        return 0
    upload.meta_update(state="committed", created=created, committed_at=timezone.now().isoformat())
    return created
