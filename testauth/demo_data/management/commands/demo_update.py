"""Update every demo character through the Celery worker and show the progress."""

import sys
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from memberaudit import tasks
from memberaudit.models import Character, SectionUpdateStatus
from memberaudit.sections import registry


class Command(BaseCommand):
    help = (
        "Queue an update of the stale sections of all enabled characters (all sections on the "
        "first run) and wait until the Celery worker has finished them."
    )

    _last_progress = ""

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=int, default=900, help="seconds to wait at most")

    def handle(self, *args, timeout: int, **options):
        started = timezone.now()
        expected = set()
        for character in Character.objects.enabled():
            fresh = set(character.update_status_set.fresh().values_list("section", flat=True))
            stale = [name for name in registry.names() if name not in fresh]
            if not stale:
                continue
            expected.update((character.pk, name) for name in stale)
            tasks.update_character.apply_async(
                kwargs={"character_pk": character.pk, "sections": stale},
                priority=tasks.DEFAULT_TASK_PRIORITY,
            )
        if not expected:
            self.stdout.write("All characters are up to date")
            return
        total = len(expected)
        deadline = time.monotonic() + timeout
        done = failed = 0
        while time.monotonic() < deadline:
            finished = SectionUpdateStatus.objects.filter(finished_at__gte=started).values_list(
                "character_id", "section", "is_success"
            )
            results = {(pk, name): ok for pk, name, ok in finished if (pk, name) in expected}
            done = len(results)
            failed = sum(1 for ok in results.values() if not ok)
            self._progress(f"Updating characters: {done}/{total} sections done")
            if done >= total:
                break
            time.sleep(1)
        if sys.stdout.isatty():
            sys.stdout.write("\n")
        if done < total:
            self.stdout.write(f"Sections still running in the worker: {total - done}")
        if failed:
            self.stdout.write(
                f"Sections that failed: {failed}, as the scenario intends for some characters "
                "(missing scopes): see the character pages"
            )

    def _progress(self, text: str) -> None:
        """One line rewritten in place on a terminal; in a log, a line per change."""
        if sys.stdout.isatty():
            sys.stdout.write(f"\r{text}")
        elif text != self._last_progress:
            sys.stdout.write(f"{text}\n")
        self._last_progress = text
        sys.stdout.flush()
