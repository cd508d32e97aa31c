"""Query logic for characters and their update status, decided in SQL."""

from datetime import timedelta

from django.db import models
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, LessThan
from django.utils import timezone

from . import app_settings


class CharacterStatus(models.TextChoices):
    """The total status of a character, shown wherever a character is listed."""

    OK = "ok", "ok"
    IN_PROGRESS = "in_progress", "in progress"
    INCOMPLETE = "incomplete", "incomplete"
    ERROR = "error", "error"
    LIMITED_TOKEN = "limited_token", "limited token"
    DISABLED = "disabled", "disabled"


def running_since():
    """Runs started before this moment cannot be running anymore (the task time limit)."""
    return timezone.now() - timedelta(seconds=app_settings.MEMBERAUDIT_TASKS_TIME_LIMIT)


def ring_stale_minutes(ring: int) -> int:
    return getattr(app_settings, f"MEMBERAUDIT_UPDATE_STALE_RING_{ring}")


def fresh_status_filter(prefix: str = "", now=None) -> Q:
    """Status rows whose section needs no update now.

    A section is fresh when its last run succeeded (or stopped for lack of token scopes, which
    only a new registration can fix) within its ring's stale minutes.
    """
    from .sections import registry

    now = now or timezone.now()
    done = Q(**{f"{prefix}is_success": True}) | Q(**{f"{prefix}error_kind": "token_limited"})
    in_rings = Q(pk__in=[])
    for ring in (1, 2, 3):
        names = [section.name for section in registry.in_ring(ring)]
        if names:
            cutoff = now - timedelta(minutes=ring_stale_minutes(ring))
            in_rings |= Q(**{f"{prefix}section__in": names, f"{prefix}finished_at__gte": cutoff})
    return done & in_rings


def in_progress_filter(prefix: str = "") -> Q:
    """Status rows of runs that started and recorded no outcome: running now, or died without
    a word."""
    return Q(**{f"{prefix}started_at__isnull": False}) & (
        Q(**{f"{prefix}finished_at__isnull": True})
        | Q(**{f"{prefix}finished_at__lt": F(f"{prefix}started_at")})
    )


class CharacterQuerySet(models.QuerySet):
    def enabled(self):
        return self.filter(is_disabled=False)

    def needing_update(self, now=None):
        """Enabled characters with at least one stale section, in one query."""
        from .sections import registry

        return (
            self.enabled()
            .annotate(
                fresh_sections=Count(
                    "update_status_set",
                    filter=fresh_status_filter("update_status_set__", now),
                )
            )
            .filter(fresh_sections__lt=len(registry))
        )

    def with_status(self):
        """Annotate ``total_status`` (a :class:`CharacterStatus`) on every character.

        The status comes from one subquery over the character's own status rows, not from a
        join grouped by character: a grouped join makes the database evaluate every other
        subquery of the queryset once per status row instead of once per character."""
        from .models import SectionUpdateStatus
        from .sections import registry

        def count(condition):
            return Count("pk", filter=condition)

        error = Q(is_success=False) & ~Q(error_kind="token_limited")
        limited = Q(error_kind="token_limited")
        # a run older than the task time limit died: never shown as running
        running = in_progress_filter() & Q(started_at__gte=running_since())
        status = (
            SectionUpdateStatus.objects.filter(character=OuterRef("pk"))
            .order_by()
            .values("character")
            .annotate(
                status=Case(
                    When(GreaterThan(count(error), 0), then=Value(CharacterStatus.ERROR)),
                    When(GreaterThan(count(limited), 0), then=Value(CharacterStatus.LIMITED_TOKEN)),
                    When(GreaterThan(count(running), 0), then=Value(CharacterStatus.IN_PROGRESS)),
                    When(
                        LessThan(count(Q(is_success=True)), len(registry)),
                        then=Value(CharacterStatus.INCOMPLETE),
                    ),
                    default=Value(CharacterStatus.OK),
                    output_field=models.CharField(),
                )
            )
            .values("status")
        )
        return self.annotate(
            total_status=Case(
                When(is_disabled=True, then=Value(CharacterStatus.DISABLED)),
                # no status rows yet: nothing has succeeded
                default=Coalesce(
                    Subquery(status, output_field=models.CharField()),
                    Value(CharacterStatus.INCOMPLETE),
                ),
                output_field=models.CharField(),
            )
        )


class CharacterManager(models.Manager.from_queryset(CharacterQuerySet)):
    def get_queryset(self):
        return super().get_queryset().select_related("eve_character")


class SectionUpdateStatusQuerySet(models.QuerySet):
    def fresh(self, now=None):
        return self.filter(fresh_status_filter(now=now))

    def in_progress(self):
        """Runs that started and recorded no outcome: running now, or died without a word."""
        return self.filter(in_progress_filter())


class SectionUpdateStatusManager(models.Manager.from_queryset(SectionUpdateStatusQuerySet)):
    pass
