#!/usr/bin/env python
"""Management commands of the Auth project used to develop, test and demo Member Audit."""

import os
import sys
from pathlib import Path


def main() -> None:
    here = Path(__file__).resolve().parent
    sys.path.insert(0, str(here.parent))  # the memberaudit package
    sys.path.insert(0, str(here))  # testauth and fake_eve
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testauth.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
