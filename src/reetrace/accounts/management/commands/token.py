"""`reetrace token create|revoke|list`: API tokens for machines, issued from a shell.

`create` writes only the secret to stdout, so `TOKEN=$(reetrace token create ...)`
works in provisioning scripts; the details go to stderr. The secret is never
stored, so it cannot be shown again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone
from rich.table import Table

from reetrace.accounts.management.console import ReetraceCommand
from reetrace.accounts.models import ApiToken, User
from reetrace.accounts.tokens import DEFAULT_LIFETIME, token_issue, token_revoke
from reetrace.core.errors import NotFound


class Command(ReetraceCommand):
    help = "Create, revoke or list API tokens."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="issue a token; prints the secret once")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="what the token is for, e.g. erp-sync")
        create.add_argument("--days", type=int, default=DEFAULT_LIFETIME.days, help="lifetime")
        revoke = actions.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("token_id", type=int)
        listing = actions.add_parser("list", help="list a user's tokens")
        listing.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict) -> None:
        user = _user(options["username"])
        lifetime = timedelta(days=options["days"])
        token, secret = token_issue(user=user, name=options["name"], lifetime=lifetime)
        self.stderr.write(
            f"token #{token.pk} {token.name!r} for {user.username}, expires "
            f"{timezone.localtime(token.expires_at):%Y-%m-%d}. The secret below is shown "
            "only now; store it safely."
        )
        self.stdout.write(secret)

    def _revoke(self, options: dict) -> None:
        token = ApiToken.objects.select_related("user").filter(pk=options["token_id"]).first()
        if token is None:
            raise NotFound("token", str(options["token_id"]))
        already = token.revoked_at is not None
        token = token_revoke(user=token.user, token_id=token.pk)
        when = f"{timezone.localtime(token.revoked_at):%Y-%m-%d %H:%M}"
        state = f"was already revoked on {when}" if already else f"revoked on {when}"
        self.stdout.write(f"token #{token.pk} {token.name!r} of {token.user.username} {state}")

    def _list(self, options: dict) -> None:
        user = _user(options["username"])
        table = Table("id", "name", "prefix", "created", "expires", "last used", "state")
        table.title = f"API tokens of {user.username}"
        now = timezone.now()
        for token in user.api_tokens.order_by("pk"):
            table.add_row(
                str(token.pk),
                token.name,
                f"{token.prefix}…",
                _day(token.created_at),
                _day(token.expires_at),
                _day(token.last_used_at),
                _state(token, now),
            )
        self.console().print(table)


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"user {username!r} does not exist")
    return user


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}" if moment else "-"


def _state(token: ApiToken, now) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= now:
        return "expired"
    return "usable" if token.user.is_active else "user inactive"
