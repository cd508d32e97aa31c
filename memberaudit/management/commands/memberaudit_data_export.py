from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from memberaudit.data_export import write_topic
from memberaudit.export_topics import TOPICS
from memberaudit.management.base import MemberAuditCommand
from memberaudit.models import Character


class Command(MemberAuditCommand):
    help = (
        "Export one kind of data of all registered characters to a gzip compressed CSV file "
        "(for admins and cron jobs). The file is written to the destination folder, the "
        "current folder by default."
    )

    def add_arguments(self, parser):
        parser.add_argument("topic", choices=sorted(TOPICS), help="What to export.")
        parser.add_argument(
            "--destination",
            default=".",
            help="Folder to write the file to (default: the current folder).",
        )

    def handle(self, *args, **options):
        topic = TOPICS[options["topic"]]
        folder = Path(options["destination"])
        if not folder.is_dir():
            raise CommandError(f"No such folder: {folder}")
        path = folder / f"memberaudit_{topic.name}_{timezone.now():%Y%m%d%H%M%S}.csv.gz"
        characters = Character.objects.all()
        total = topic.queryset(characters).count()
        self.stdout.write(f"Exporting {total} rows of {topic.name} to {path}")

        def progress(done: int) -> None:
            self.stdout.write(f"Exported {done}/{total}")

        rows = write_topic(topic, characters, path, progress)
        self.stdout.write(self.style.SUCCESS(f"Wrote {rows} rows to {path}"))
