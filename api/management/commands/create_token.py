from argparse import ArgumentTypeError
from datetime import timedelta

from django.core.management.base import BaseCommand

from api.tokens import token_create
from gallery.management.base import active_account


def create_token(username, name="", days=None):
    """A new token for the user called ``username``, opening the API for
    ``days`` (None: until revoked): ``(token, key)``."""
    user = active_account(username, refused="it gets no token")
    lifetime = timedelta(days=days) if days else None
    return token_create(user=user, name=name, lifetime=lifetime)


def positive_days(text):
    if not text.isdigit() or not 1 <= int(text) <= 36500:
        raise ArgumentTypeError("give a whole number of days from 1 to 36500")
    return int(text)


class Command(BaseCommand):
    help = (
        "Create a personal API token for a user and print it. The token is shown "
        "only this once (it is stored hashed); revoke it under Account › API "
        "tokens or in the admin."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", metavar="USER")
        parser.add_argument("--name", default="", help="A name to tell it apart.")
        parser.add_argument(
            "--days",
            type=positive_days,
            help="Expire after this many days (default: never, until revoked).",
        )

    def handle(self, *args, **options):
        token, key = create_token(options["username"], options["name"], options["days"])
        # The key alone on stdout, so `TOKEN=$(manage.py create_token alice)`
        # works; the explanation goes to stderr.
        if options["verbosity"] >= 1:
            self.stderr.write(
                f"Created token {token.name!r} for {token.user.get_username()} "
                "(shown once; copy it now):"
            )
        self.stdout.write(key)
