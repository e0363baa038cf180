"""The access choke point: scopes come from the role tables, every scoped read goes
through `visible_to`, and no code compares role names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db.models import Q

import reetrace
from reetrace.accounts.permissions import ROLE_REACH, UserRole
from reetrace.core.access import Scope, own_enterprise_only, visible_to
from reetrace.core.errors import Forbidden
from reetrace.core.permissions import Reach
from reetrace.registry.models import Enterprise
from tests.factories.accounts import UserFactory
from tests.factories.registry import EnterpriseFactory

PACKAGE = Path(reetrace.__file__).resolve().parent


def test_every_role_has_a_reach_and_only_administrators_act_for_anyone():
    assert set(ROLE_REACH) == set(UserRole)
    acting = {role for role, reach in ROLE_REACH.items() if Reach.ACT_FOR_ANYONE in reach}
    assert acting == {UserRole.ADMIN}


def test_a_scope_sees_and_acts_for_its_own_enterprise_only():
    own = Scope(frozenset({Reach.OWN_ENTERPRISE}), enterprise_id=7)
    assert own.sees(7) and own.acts_for(7)
    assert not own.sees(8) and not own.acts_for(8) and not own.sees(None)
    national = Scope(frozenset({Reach.EVERY_ENTERPRISE}))
    assert national.sees(8) and not national.acts_for(8)
    admin = Scope(frozenset({Reach.EVERY_ENTERPRISE, Reach.ACT_FOR_ANYONE}))
    assert admin.acts_for(8)


@pytest.mark.django_db
def test_visible_to_gives_each_reach_its_rows():
    ours, theirs = EnterpriseFactory(), EnterpriseFactory(country="DE", identifier="DE:1")
    rows = Enterprise.objects.filter(pk__in=[ours.pk, theirs.pk])

    def seen(user) -> set[int]:
        found = visible_to(
            user,
            rows,
            own=lambda enterprise: Q(pk=enterprise),
            country=lambda country: Q(country=country),
        )
        return set(found.values_list("pk", flat=True))

    assert seen(UserFactory(role=UserRole.REGULATOR)) == {ours.pk, theirs.pk}
    assert seen(UserFactory(role=UserRole.ENTERPRISE, enterprise=ours)) == {ours.pk}
    assert seen(UserFactory(role=UserRole.PARTNER, partner_country="de")) == {theirs.pk}
    assert seen(UserFactory(role=UserRole.PARTNER)) == set()
    assert seen(UserFactory(role="ghost")) == set()


@pytest.mark.django_db
def test_own_enterprise_only_refuses_whoever_sees_no_enterprise():
    enterprise = EnterpriseFactory()
    assert own_enterprise_only(UserFactory(role=UserRole.AUDITOR), "this") is None
    user = UserFactory(role=UserRole.ENTERPRISE, enterprise=enterprise)
    assert own_enterprise_only(user, "this") == enterprise.pk
    with pytest.raises(Forbidden, match="this is for national roles and enterprise users"):
        own_enterprise_only(UserFactory(role=UserRole.PARTNER, partner_country="DE"), "this")


def role_comparisons(source: str) -> list[int]:
    """Lines comparing a `.role` with a role name (a string or a UserRole member)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        on_role = any(isinstance(s, ast.Attribute) and s.attr == "role" for s in sides)
        named = any(
            (isinstance(s, ast.Constant) and isinstance(s.value, str))
            or (isinstance(s, ast.Attribute) and getattr(s.value, "id", "") == "UserRole")
            for s in sides
        )
        if on_role and named:
            found.append(node.lineno)
    return found


def test_the_role_lint_sees_both_spellings():
    source = 'if user.role != "admin": pass\nif actor.role == UserRole.PARTNER: pass\n'
    assert role_comparisons(source) == [1, 2]


def test_no_code_compares_role_names():
    """Roles are decided by the tables (`accounts/permissions.py`) through `has_permission`
    and `scope`. (The synthetic generator's parties have market roles of their own.)"""
    problems = [
        f"src/reetrace/{path.relative_to(PACKAGE)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if "synth" not in path.relative_to(PACKAGE).parts
        for line in role_comparisons(path.read_text(encoding="utf-8"))
    ]
    assert not problems, problems
