"""What our management commands share."""

import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

# The exit status of a command given what cannot be (an unknown account, a
# missing folder, a bad option), as argparse's own.
USAGE_ERROR = 2


def active_account(username, *, refused):
    """The account called ``username`` (exactly), or a usage error saying
    there is none, or that it is switched off and so ``refused`` (what it
    cannot be given: "it takes no images")."""
    User = get_user_model()
    try:
        account = User.objects.get(**{User.USERNAME_FIELD: username})
    except User.DoesNotExist:
        raise CommandError(
            f"No account named {username!r}.", returncode=USAGE_ERROR
        ) from None
    if not account.is_active:
        raise CommandError(
            f"The account {username!r} is switched off (deleted, or deactivated "
            f"in the admin): {refused}.",
            returncode=USAGE_ERROR,
        )
    return account


class ExitStatusCommand(BaseCommand):
    """A command whose exit status tells how it went: ``handle`` sets
    ``self.exit_status``, and the shell sees it (``call_command`` in tests
    reads the attribute instead of catching ``SystemExit``)."""

    exit_status = 0

    def run_from_argv(self, argv):
        super().run_from_argv(argv)
        if self.exit_status:
            sys.exit(self.exit_status)
