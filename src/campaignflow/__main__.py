"""The `campaignflow` command: the project's manage.py under a real name."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaignflow.config.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "campaignflow"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
