"""What the journal records without the code that acts knowing about it: sign-ins
and failed sign-ins (throttled ones through `accounts.throttle.SIGNIN_REFUSALS`),
watch-list loads (`exportcontrol.services.screening.WATCHLIST_LOADS`), user, role
and token changes, and every decision whose model already keeps its history row
(application transitions, licences, alert triage and sharing, case steps,
enterprise status, quotas, vetting)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save, pre_save

from reetrace.audit.choices import AuditAction as A
from reetrace.audit.journal import audit_record

# Fields of a user whose change is an account change (a new last_login is not).
USER_FIELDS = ["username", "role", "enterprise_id", "is_active", "is_staff", "is_superuser",
               "partner_country", "password"]  # fmt: skip


def _signed_in(sender, request, user, **kwargs):
    audit_record(A.SIGN_IN, "user", user.username, user=user, request=request)


def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_record(A.SIGN_IN_FAILED, "user", username, fields={"username": username}, request=request)


def _sign_in_refused(request, username: str, refusal: str) -> None:
    audit_record(
        A.SIGN_IN_FAILED,
        "user",
        username,
        fields={"username": username[:150], "throttled": True},
        reason=refusal,
        request=request,
    )


def _watch_list_loaded(counts: dict[str, int]) -> None:
    audit_record(A.LOAD, "watch_list", fields=counts)


def _user_before(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or (update_fields and set(update_fields) <= {"last_login"}):
        instance._audit_before = None
        return
    instance._audit_before = sender.objects.filter(pk=instance.pk).values(*USER_FIELDS).first()


def _user_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_audit_before", None)
    if created:
        changes = {f: getattr(instance, f) for f in USER_FIELDS if f != "password"}
        audit_record(A.ACCOUNT, "user", instance.username, fields={"created": changes})
        return
    if before is None:
        return
    changed = {
        f: {"from": before[f], "to": getattr(instance, f)}
        for f in USER_FIELDS
        if before[f] != getattr(instance, f)
    }
    if "password" in changed:
        changed["password"] = {"from": "(hash)", "to": "(new hash)"}
    if changed:
        audit_record(A.ACCOUNT, "user", instance.username, fields={"changed": changed})


def _token_saved(sender, instance, created, update_fields=None, **kwargs):
    if created:
        what = {"issued": instance.prefix, "owner": instance.user.username,
                "expires_at": instance.expires_at}  # fmt: skip
    elif instance.revoked_at is not None and "revoked_at" in (update_fields or ()):
        what = {"revoked": instance.prefix, "owner": instance.user.username}
    else:
        return
    audit_record(A.ACCOUNT, "api_token", instance.pk, fields=what)


def _transition(sender, instance, created, **kwargs):
    if created:
        application = instance.application
        audit_record(
            A.DECISION,
            "application",
            application.pk,
            fields={
                "action": instance.action,
                "from": instance.from_state,
                "to": instance.to_state,
            },  # fmt: skip
            enterprise=application.applicant.identifier,
            reason=instance.comment,
            user=instance.actor,
        )


def _licence(sender, instance, created, **kwargs):
    if created:
        audit_record(
            A.DECISION,
            "licence",
            instance.number,
            fields={
                "issued_at": instance.issued_at,
                "valid_from": instance.valid_from,
                "valid_until": instance.valid_until,
                "retroactive_exports": instance.retroactive_exports,
            },
            enterprise=instance.exporter.identifier,
            reason=instance.retroactive_reason,
            user=instance.issued_by,
        )


def _alert_step(sender, instance, created, **kwargs):
    if created:
        audit_record(
            A.DECISION,
            "alert",
            instance.alert_id,
            fields={
                "action": instance.action,
                "from": instance.from_status,
                "to": instance.to_status,
            },  # fmt: skip
            enterprise=instance.alert.enterprise.identifier,
            reason=instance.reason,
            user=instance.actor,
        )


def _case_step(sender, instance, created, **kwargs):
    if created:
        audit_record(
            A.DECISION,
            "case",
            instance.case_id,
            fields={"action": instance.action, **instance.detail},
            reason=str(instance.detail.get("outcome", "")),
            user=instance.actor,
        )


def _enterprise_before(sender, instance, **kwargs):
    instance._audit_status = (
        sender.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
        if instance.pk
        else None
    )


def _enterprise_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_audit_status", None)
    if created or before != instance.status:
        audit_record(
            A.DECISION,
            "enterprise",
            instance.identifier,
            fields={"status": {"from": before, "to": instance.status}},
            enterprise=instance.identifier,
        )


def _quota_saved(sender, instance, created, **kwargs):
    audit_record(
        A.DECISION,
        "quota",
        instance.code,
        fields={
            "created": created,
            "year": instance.year,
            "light_t": instance.light_t,
            "medium_heavy_t": instance.medium_heavy_t,
            "document": instance.document,
        },  # fmt: skip
        enterprise=instance.enterprise.identifier,
    )


def _vetting_saved(sender, instance, created, **kwargs):
    audit_record(
        A.DECISION,
        "vetted_exporter",
        instance.pk,
        fields={
            "created": created,
            "since": instance.since,
            "until": instance.until,
            "revoked_at": instance.revoked_at,
        },  # fmt: skip
        enterprise=instance.enterprise.identifier,
        reason=instance.revocation_reason or instance.basis,
        user=instance.revoked_by or instance.vetted_by,
    )


def connect() -> None:
    from reetrace.accounts.models import ApiToken, User
    from reetrace.accounts.throttle import SIGNIN_REFUSALS
    from reetrace.compliance.models import AlertStatusChange, CaseStep
    from reetrace.exportcontrol.models import Licence, Transition, VettedExporter
    from reetrace.exportcontrol.services.screening import WATCHLIST_LOADS
    from reetrace.registry.models import Enterprise, Quota

    SIGNIN_REFUSALS.plug("audit.sign_in_refused", _sign_in_refused)
    WATCHLIST_LOADS.plug("audit.watch_list_loaded", _watch_list_loaded)
    user_logged_in.connect(_signed_in, dispatch_uid="audit-sign-in")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit-sign-in-failed")
    pre_save.connect(_user_before, sender=User, dispatch_uid="audit-user-before")
    post_save.connect(_user_saved, sender=User, dispatch_uid="audit-user")
    post_save.connect(_token_saved, sender=ApiToken, dispatch_uid="audit-token")
    post_save.connect(_transition, sender=Transition, dispatch_uid="audit-transition")
    post_save.connect(_licence, sender=Licence, dispatch_uid="audit-licence")
    post_save.connect(_alert_step, sender=AlertStatusChange, dispatch_uid="audit-alert")
    post_save.connect(_case_step, sender=CaseStep, dispatch_uid="audit-case")
    pre_save.connect(_enterprise_before, sender=Enterprise, dispatch_uid="audit-ent-before")
    post_save.connect(_enterprise_saved, sender=Enterprise, dispatch_uid="audit-enterprise")
    post_save.connect(_quota_saved, sender=Quota, dispatch_uid="audit-quota")
    post_save.connect(_vetting_saved, sender=VettedExporter, dispatch_uid="audit-vetting")
