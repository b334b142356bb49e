"""What our management commands share."""

import sys

from django.core.management.base import BaseCommand


class ExitStatusCommand(BaseCommand):
    """A command whose exit status tells how it went: ``handle`` sets
    ``self.exit_status``, and the shell sees it (``call_command`` in tests
    reads the attribute instead of catching ``SystemExit``)."""

    exit_status = 0

    def run_from_argv(self, argv):
        super().run_from_argv(argv)
        if self.exit_status:
            sys.exit(self.exit_status)
