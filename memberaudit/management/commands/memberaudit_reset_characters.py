from memberaudit.character_data import character_data_models, delete_character_data
from memberaudit.models import Character

from ..base import MemberAuditCommand


class Command(MemberAuditCommand):
    help = (
        "Delete all character data stored by Member Audit (every section and every update "
        "status) but keep the registered characters, so that their data is loaded again from "
        "ESI by the next update run. Stop your Celery workers before running it, or running "
        "updates may write data back while it is deleted."
    )

    def add_arguments(self, parser):
        self.add_noinput_argument(parser)

    def handle(self, *args, **options):
        models = character_data_models()
        character_count = Character.objects.count()
        self.stdout.write(
            f"This will delete the stored data of all {character_count} characters "
            f"from {len(models)} tables: " + ", ".join(model._meta.label for model, _ in models)
        )
        self.stdout.write(self.style.WARNING("Stop your Celery workers before you go on."))
        if not self.confirm(options, "Delete all character data? This cannot be undone."):
            return

        def report(model, count):
            self.stdout.write(f"Deleted {count} rows of {model._meta.label}")

        deleted = delete_character_data(on_progress=report)
        cascaded = {
            label: count
            for label, count in deleted.items()
            if label not in {model._meta.label for model, _ in models}
        }
        for label, count in sorted(cascaded.items()):
            self.stdout.write(f"Deleted {count} dependent rows of {label}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted {sum(deleted.values())} rows in total. "
                f"Kept {Character.objects.count()} characters; "
                "run memberaudit_update_characters to load their data again."
            )
        )
