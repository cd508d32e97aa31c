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
            self._report_failures(started, expected)

    def _report_failures(self, started, expected: set) -> None:
        """Tell what the demo intends (tokens without some scopes) from real failures."""
        failures = (
            SectionUpdateStatus.objects.filter(finished_at__gte=started, is_success=False)
            .select_related("character__eve_character")
            .order_by("character__eve_character__character_name", "section")
        )
        intended, unexpected = [], []
        for status in failures:
            if (status.character_id, status.section) not in expected:
                continue
            limited = status.error_kind == SectionUpdateStatus.ErrorKind.TOKEN_LIMITED
            (intended if limited else unexpected).append(status)
        if intended:
            names = sorted({status.character.name for status in intended})
            self.stdout.write(
                f"As intended, {len(intended)} sections of {', '.join(names)} were not updated: "
                "the demo gives them tokens without some scopes, to show how that looks."
            )
        if unexpected:
            self.stdout.write(
                f"{len(unexpected)} sections failed unexpectedly, e.g. "
                f"{unexpected[0].character.name}: {unexpected[0].section}: "
                f"{unexpected[0].error_message[:200]} (see the character pages and worker.log)"
            )

    def _progress(self, text: str) -> None:
        """One line rewritten in place on a terminal; in a log, a line per change."""
        if sys.stdout.isatty():
            sys.stdout.write(f"\r{text}")
        elif text != self._last_progress:
            sys.stdout.write(f"{text}\n")
        self._last_progress = text
        sys.stdout.flush()
