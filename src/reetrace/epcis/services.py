"""Writes behind the EPCIS views: capture jobs and saved queries."""

from __future__ import annotations

from reetrace.accounts.models import User
from reetrace.core.errors import ErrorCode, Forbidden, ReetraceError
from reetrace.epcis.models import CaptureJob, NamedQuery
from reetrace.epcis.query import query_parameters_check
from reetrace.epcis.selectors import named_query_get

__all__ = ["capture_job_new", "named_query_delete", "named_query_save"]


class QueryNameTaken(ReetraceError):
    status = 409

    def __init__(self, name: str):
        super().__init__(ErrorCode.IDENTIFIER_TAKEN, f"a query named {name!r} exists", field="name")


def capture_job_new(user: User) -> CaptureJob:
    """A job for one capture, its id known at once (the answer's Location); not yet
    saved: `document_capture` saves it with its outcome, in the same commit as what
    it captured."""
    return CaptureJob(submitted_by=user, reporter_id=user.enterprise_id)


def named_query_save(*, owner: User, name: str, parameters: dict[str, str]) -> NamedQuery:
    """Save a query under a new name, its parameters checked as a query would be."""
    query_parameters_check({k: v for k, v in parameters.items() if k != "perPage"})
    if named_query_get(name) is not None:
        raise QueryNameTaken(name)
    return NamedQuery.objects.create(name=name, owner=owner, parameters=parameters)


def named_query_delete(*, actor: User, query: NamedQuery) -> None:
    if query.owner_id != actor.pk:
        raise Forbidden("only the user who saved a query deletes it")
    query.delete()
