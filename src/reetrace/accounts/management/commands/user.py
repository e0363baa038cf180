"""`reetrace user create USERNAME --role ROLE`: accounts for people and machines.

Without --password the account can act only through API tokens, which is what
an integration account should do; a password typed on the command line also
lands in shell history, so it is optional by design.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.db import transaction

from reetrace.accounts.management.console import ReetraceCommand, enterprise_get
from reetrace.accounts.models import User
from reetrace.accounts.permissions import UserRole, roles_reaching
from reetrace.core.permissions import Reach


class Command(ReetraceCommand):
    help = "Create users."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a user with one role")
        create.add_argument("username")
        create.add_argument("--role", required=True, choices=UserRole.values)
        create.add_argument("--enterprise", help="identifier; required for enterprise users")
        create.add_argument("--password", help="omit for a token-only account")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            self._create(options)

    def _create(self, options: dict) -> None:
        role, identifier = options["role"], options["enterprise"]
        acts_for_one = role in roles_reaching(Reach.OWN_ENTERPRISE)
        if acts_for_one and not identifier:
            raise CommandError("an enterprise user needs --enterprise IDENTIFIER")
        if not acts_for_one and identifier:
            raise CommandError(f"--enterprise is only for enterprise users, not for role {role}")
        user = User(
            username=options["username"],
            role=role,
            enterprise=enterprise_get(identifier) if identifier else None,
        )
        _check(user, options["password"])
        with transaction.atomic():
            if options["password"]:
                user.set_password(options["password"])
            else:
                user.set_unusable_password()
            user.save()
        where = f" of {user.enterprise.identifier}" if user.enterprise else ""
        login = "may sign in" if options["password"] else "has no password (API tokens only)"
        self.stdout.write(f"created user {user.username} ({role}{where}); it {login}")


def _check(user: User, password: str | None) -> None:
    """Django's own validation, so the CLI cannot make users the admin site would refuse."""
    try:
        user.full_clean(exclude=["password"])
        if password:
            validate_password(password, user)
    except ValidationError as exc:
        raise CommandError("; ".join(_messages(exc))) from exc


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{name}: {' '.join(texts)}" for name, texts in exc.message_dict.items()]
    return list(exc.messages)
