"""The role -> permission grant table and its invariants."""

from __future__ import annotations

import pytest

from reetrace.accounts.permissions import (
    NATIONAL_ROLES,
    ROLE_PERMISSIONS,
    Permission,
    UserRole,
)
from reetrace.api import api
from reetrace.core.access import requires
from tests.factories.accounts import UserFactory

WRITES = {p for p in Permission if p.endswith((":write", ":capture", ":close"))}


def test_every_role_has_a_grant():
    assert set(ROLE_PERMISSIONS) == set(UserRole)


def test_admin_has_everything_but_the_journal_and_the_auditor_writes_nothing():
    journal = {Permission.AUDIT_JOURNAL_READ, Permission.AUDIT_ACCESS_READ}
    assert ROLE_PERMISSIONS[UserRole.ADMIN] == frozenset(Permission) - journal
    assert not ROLE_PERMISSIONS[UserRole.AUDITOR] & WRITES


def test_only_the_auditor_reads_the_journal():
    readers = {r for r, grant in ROLE_PERMISSIONS.items() if Permission.AUDIT_JOURNAL_READ in grant}
    assert readers == {UserRole.AUDITOR}


def test_partner_sees_reference_data_and_the_summary_only():
    assert ROLE_PERMISSIONS[UserRole.PARTNER] == {
        Permission.ACCOUNTS_TOKEN_MANAGE,
        Permission.EXPORTCONTROL_APPLICATION_READ,  # only applications naming its importers
        Permission.EXPORTCONTROL_CLASSIFICATION_RUN,
        Permission.EXPORTCONTROL_STATS_READ,
        Permission.RECONCILIATION_LOAD,
        Permission.RECONCILIATION_READ,
        Permission.RECONCILIATION_SUBMISSION_UPLOAD,
        Permission.REGISTRY_REFERENCE_READ,
        Permission.TRACE_EXPORT_SUMMARY_READ,
    }


def test_national_roles_are_the_ones_without_an_enterprise_scope():
    assert set(UserRole) - {UserRole.ENTERPRISE, UserRole.PARTNER} == NATIONAL_ROLES


def test_every_permission_is_required_by_some_operation():
    schema = api.get_openapi_schema()
    used = {
        operation.get("x-permission")
        for methods in schema["paths"].values()
        for operation in methods.values()
    }
    assert {str(p) for p in Permission} <= used, sorted({str(p) for p in Permission} - used)


@pytest.mark.django_db
def test_inactive_users_have_no_permissions():
    user = UserFactory(role=UserRole.ADMIN, is_active=False)
    assert not user.has_permission(Permission.REGISTRY_REFERENCE_READ)


@pytest.mark.django_db
def test_unknown_role_has_no_permissions():
    user = UserFactory(role="ghost")
    assert not user.has_permission(Permission.REGISTRY_REFERENCE_READ)
    assert not user.is_national


def test_requires_keeps_the_view_signature():
    from reetrace.accounts.api import tokens_issue

    assert tokens_issue.required_permission == Permission.ACCOUNTS_TOKEN_MANAGE
    assert "TokenIn" in str(tokens_issue.__signature__)

    @requires(Permission.LEDGER_LOT_READ)
    def view(request, code: str):
        return code

    assert list(view.__signature__.parameters) == ["request", "code"]
