"""Enumerations of export control: application states, actions, documents, licence kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    UNDER_REVIEW = "under_review", _("under review")
    INFORMATION_REQUESTED = "information_requested", _("information requested")
    RESUBMITTED = "resubmitted", _("resubmitted")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


CLOSED_STATES = frozenset(
    {ApplicationState.APPROVED, ApplicationState.REJECTED, ApplicationState.WITHDRAWN}
)
OPEN_STATES = frozenset(ApplicationState) - CLOSED_STATES
# States in which the applicant may still add documents.
EDITABLE_STATES = frozenset({ApplicationState.DRAFT, ApplicationState.INFORMATION_REQUESTED})


class Action(models.TextChoices):
    """What moves an application; who may take it is in workflow.TRANSITIONS."""

    SUBMIT = "submit", _("submit")
    ACCEPT = "accept", _("accept")
    START_REVIEW = "start_review", _("start review")
    REQUEST_INFORMATION = "request_information", _("request information")
    RESUBMIT = "resubmit", _("resubmit")
    RESUME_REVIEW = "resume_review", _("resume review")
    APPROVE = "approve", _("approve")
    REJECT = "reject", _("reject")
    WITHDRAW = "withdraw", _("withdraw")


APPLICANT_ACTIONS = frozenset({Action.SUBMIT, Action.RESUBMIT, Action.WITHDRAW})
OFFICER_ACTIONS = frozenset(Action) - APPLICANT_ACTIONS


class DocumentKind(models.TextChoices):
    CONTRACT = "contract", _("contract or agreement")
    END_USER_CERTIFICATE = "end_user_certificate", _("end-user certificate")
    END_USE_STATEMENT = "end_use_statement", _("end-use statement")
    TECHNICAL_DESCRIPTION = "technical_description", _("technical description")
    OTHER = "other", _("other")


# MOFCOM's standard application list (docs/facts.md 3.2; Order 792 article UNCONFIRMED).
REQUIRED_DOCUMENTS = (
    DocumentKind.CONTRACT,
    DocumentKind.END_USER_CERTIFICATE,
    DocumentKind.END_USE_STATEMENT,
    DocumentKind.TECHNICAL_DESCRIPTION,
)


class LicenceKind(models.TextChoices):
    INDIVIDUAL = "individual", _("individual licence")
    GENERAL = "general", _("general licence (one customer, one year)")


class ScreenedParty(models.TextChoices):
    APPLICANT = "applicant", _("applicant")
    CONSIGNEE = "consignee", _("consignee")
    END_USER = "end_user", _("end user")
