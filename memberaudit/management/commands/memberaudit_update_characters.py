from django.core.management.base import CommandError

from memberaudit import tasks
from memberaudit.models import Character
from memberaudit.sections import registry

from ..base import MemberAuditCommand, Progress


class Command(MemberAuditCommand):
    help = (
        "Force an update from ESI of all enabled characters, of all their sections or only of "
        "the sections given with --section. The updates are queued as Celery tasks at the "
        "priority of user actions, ahead of the regular hourly run, and ignore whether data is "
        "stale or unchanged. Disabled and orphaned characters are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--section",
            action="append",
            dest="sections",
            metavar="NAME",
            choices=registry.names(),
            help=(
                "Update only this section; repeat for several. "
                f"One of: {', '.join(registry.names())}."
            ),
        )
        self.add_noinput_argument(parser)

    def handle(self, *args, **options):
        sections = self._unique_sections(options["sections"])
        characters = list(Character.objects.enabled().order_by("pk"))
        if not characters:
            self.stdout.write("There are no enabled characters. Nothing to do.")
            return
        scope = ", ".join(sections) if sections else "all sections"
        self.stdout.write(
            f"This will queue a forced update of {scope} for {len(characters)} characters."
        )
        if not self.confirm(options, "Do you want to go on?"):
            return
        progress = Progress(self, len(characters), "Queued")
        for character in characters:
            tasks.update_character_now(character, sections)
            progress.advance()
        self.stdout.write(
            self.style.SUCCESS(
                f"Queued updates of {len(characters)} characters. "
                "Celery workers now run them; watch the task queue for progress."
            )
        )

    @staticmethod
    def _unique_sections(names: list[str] | None) -> list[str] | None:
        if not names:
            return None
        unknown = [name for name in names if name not in registry]
        if unknown:  # argparse checks choices too; this guards direct calls
            raise CommandError(f"Unknown section: {', '.join(unknown)}")
        return list(dict.fromkeys(names))
