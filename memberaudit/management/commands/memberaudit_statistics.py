import json

from django.core.management.base import BaseCommand

from memberaudit.statistics import current_statistics


class Command(BaseCommand):
    help = (
        "Print current statistics of Member Audit as JSON: the duration (max, avg, min in "
        "seconds) of the last update of each section per stale ring, the number of runs and "
        "of ESI requests, 304 answers and errors per section, and counts of characters and "
        "section status rows."
    )

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(current_statistics(), indent=4, default=str))
