"""manage.py create_api_token USERNAME --name NAME [--read-only] [--expires-days N]: print a new
API token's secret, once."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.models import ApiToken
from core.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print its secret. The secret is not stored: keep it now."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for, e.g. 'ledger import'.")
        parser.add_argument("--read-only", action="store_true", help="Only GET, HEAD and OPTIONS; writes get 403.")
        parser.add_argument(
            "--expires-days", type=int, default=None, help="Stop working this many days from now (default: never)."
        )

    def handle(self, *args, username: str, name: str, read_only=False, expires_days=None, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive; a token would not authenticate.")
        expires_at = timezone.now() + dt.timedelta(days=expires_days) if expires_days is not None else None
        scope = ApiToken.Scope.READ if read_only else ApiToken.Scope.READ_WRITE
        try:
            token, secret = api_token_create(user=user, name=name, expires_at=expires_at, scope=scope)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stderr.write(f"Created token {token.name!r} (id {token.pk}, prefix {token.prefix}) for {username}.")
        self.stderr.write("The secret below is shown once; it cannot be recovered.")
        # The secret alone on stdout, so scripts can capture it: SECRET=$(manage.py create_api_token …)
        self.stdout.write(secret)
