from django.core.management.base import BaseCommand, CommandError

from fake_eve.__main__ import run
from fake_eve.scenario import DEFAULT_SCENARIO


class Command(BaseCommand):
    help = "Run the fake EVE SSO + ESI server in the foreground (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--scenario", default=str(DEFAULT_SCENARIO))

    def handle(self, *args, **options):
        code = run(options["scenario"], options["host"], options["port"])
        if code:
            raise CommandError(f"fake EVE server exited with code {code}")
