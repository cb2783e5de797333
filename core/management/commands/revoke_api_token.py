"""manage.py revoke_api_token PREFIX_OR_ID: stop a token from authenticating."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from core.models import ApiToken
from core.services import api_token_revoke


class Command(BaseCommand):
    help = (
        "Revoke an API token, named by its prefix (as listed) or its id. "
        "A prefix starting with '-' goes after '--': revoke_api_token -- -AbC1234"
    )

    def add_arguments(self, parser):
        parser.add_argument("prefix_or_id", help="The token's prefix (8 characters) or its numeric id.")

    def handle(self, *args, prefix_or_id: str, **options):
        match = Q(prefix=prefix_or_id)
        if prefix_or_id.isdigit():
            match |= Q(pk=int(prefix_or_id))
        tokens = list(ApiToken.objects.filter(match).select_related("user"))
        if not tokens:
            raise CommandError(f"No token with prefix or id {prefix_or_id!r}.")
        if len(tokens) > 1:
            listed = ", ".join(f"id {t.pk} ({t.user.username}, {t.name!r})" for t in tokens)
            raise CommandError(f"{prefix_or_id!r} matches several tokens: {listed}. Give the id.")
        token = tokens[0]
        if not token.is_active:
            self.stdout.write(f"Token {token.prefix} ({token.user.username}, {token.name!r}) was already revoked.")
            return
        api_token_revoke(token=token)
        self.stdout.write(f"Revoked token {token.prefix} ({token.user.username}, {token.name!r}).")
