from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from api.tokens import token_create


def create_token(username, name=""):
    """A new token for the user called ``username``: ``(token, key)``."""
    User = get_user_model()
    try:
        user = User.objects.get(**{User.USERNAME_FIELD: username})
    except User.DoesNotExist:
        raise CommandError(f"No user named {username!r}.", returncode=2) from None
    if not user.is_active:
        raise CommandError(f"The user {username!r} is not active.", returncode=2)
    return token_create(user=user, name=name)


class Command(BaseCommand):
    help = (
        "Create a personal API token for a user and print it. The token is shown "
        "only this once (it is stored hashed); revoke it under Settings › API "
        "tokens or in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", metavar="USER")
        parser.add_argument("--name", default="", help="A name to tell it apart.")

    def handle(self, *args, **options):
        token, key = create_token(options["username"], options["name"])
        # The key alone on stdout, so `TOKEN=$(manage.py create_token alice)`
        # works; the explanation goes to stderr.
        if options["verbosity"] >= 1:
            self.stderr.write(
                f"Created token {token.name!r} for {token.user.get_username()} "
                "(shown once; copy it now):"
            )
        self.stdout.write(key)
