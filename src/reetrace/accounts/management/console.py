"""What every `reetrace` command shares: domain errors as clean messages, Rich output,
and the user a command acts as.

It lives in accounts because every app that has commands already depends on
accounts (the acting user), so no app has to import another app's commands.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console

from reetrace.accounts.models import User
from reetrace.accounts.permissions import roles_reaching
from reetrace.core.errors import BatchRejected, ReetraceError
from reetrace.core.permissions import Permission, Reach
from reetrace.registry.elements import ELEMENTS
from reetrace.registry.models import Enterprise

# Tables written to files or pipes are read later; don't cut them to 80 columns.
_PIPE_WIDTH = 220


class ReetraceCommand(BaseCommand):
    """A command whose bad input ends in one line of explanation, never a traceback."""

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            return super().execute(*args, **options)
        except ReetraceError as exc:
            raise CommandError(exc.message) from exc
        except BatchRejected as exc:
            raise CommandError(str(exc)) from exc

    def console(self, *, stderr: bool = False) -> Console:
        """A Rich console on the command's own stream (call_command may redirect it)."""
        stream: Any = (self.stderr if stderr else self.stdout)._out
        terminal = hasattr(stream, "isatty") and stream.isatty()
        return Console(file=stream, width=None if terminal else _PIPE_WIDTH, highlight=False)


def acting_user(username: str | None, permission: Permission) -> User:
    """The user recorded as doing the work: named, or else the one administrator."""
    if username:
        user = User.objects.select_related("enterprise").filter(username=username).first()
        if user is None:
            raise CommandError(f"user {username!r} does not exist")
    else:
        anyone = roles_reaching(Reach.ACT_FOR_ANYONE)
        admins = list(User.objects.filter(role__in=anyone, is_active=True)[:2])
        if len(admins) != 1:
            found = "no active administrator" if not admins else "several administrators"
            raise CommandError(f"there is {found}; name the acting user with --as USERNAME")
        user = admins[0]
    if not user.has_permission(permission):
        raise CommandError(
            f"user {user.username} ({user.role}{'' if user.is_active else ', inactive'}) "
            f"may not do this: it needs the permission {permission}"
        )
    return user


def enterprise_get(identifier: str) -> Enterprise:
    enterprise = Enterprise.objects.filter(identifier=identifier.strip()).first()
    if enterprise is None:
        raise CommandError(f"enterprise {identifier!r} is not registered")
    return enterprise


def kg_text(value: Decimal | None) -> str:
    """Exact kg with thousands separators: the ledger is exact to 1 mg, so is the table."""
    return "" if value is None else f"{value:,f}"


def elements_in(*reo_maps: dict[str, Any]) -> list[str]:
    """The elements present, in the periodic-table order people expect to read them in."""
    present = {el for reo in reo_maps for el in reo}
    return [el for el in ELEMENTS if el in present]
