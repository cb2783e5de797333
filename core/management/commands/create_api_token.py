"""manage.py create_api_token USERNAME --name NAME: print a new API token's secret, once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print its secret. The secret is not stored: keep it now."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for, e.g. 'ledger import'.")

    def handle(self, *args, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive; a token would not authenticate.")
        token, secret = api_token_create(user=user, name=name)
        self.stderr.write(f"Created token {token.name!r} (id {token.pk}, prefix {token.prefix}) for {username}.")
        self.stderr.write("The secret below is shown once; it cannot be recovered.")
        # The secret alone on stdout, so scripts can capture it: SECRET=$(manage.py create_api_token …)
        self.stdout.write(secret)
