"""Query logic for characters and their update status, decided in SQL."""

from datetime import timedelta

from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Value, When
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
        """Annotate ``total_status`` (a :class:`CharacterStatus`) on every character."""
        from .models import SectionUpdateStatus
        from .sections import registry

        statuses = SectionUpdateStatus.objects.filter(character=OuterRef("pk"))
        # a run older than the task time limit died: never shown as running
        in_progress = statuses.in_progress().filter(started_at__gte=running_since())
        return self.annotate(
            status_ok_count=Count(
                "update_status_set", filter=Q(update_status_set__is_success=True)
            ),
            status_error_count=Count(
                "update_status_set",
                filter=Q(update_status_set__is_success=False)
                & ~Q(update_status_set__error_kind="token_limited"),
            ),
            status_limited_count=Count(
                "update_status_set",
                filter=Q(update_status_set__error_kind="token_limited"),
            ),
            status_in_progress=Exists(in_progress),
        ).annotate(
            total_status=Case(
                When(is_disabled=True, then=Value(CharacterStatus.DISABLED)),
                When(status_error_count__gt=0, then=Value(CharacterStatus.ERROR)),
                When(status_limited_count__gt=0, then=Value(CharacterStatus.LIMITED_TOKEN)),
                When(status_in_progress=True, then=Value(CharacterStatus.IN_PROGRESS)),
                When(status_ok_count__lt=len(registry), then=Value(CharacterStatus.INCOMPLETE)),
                default=Value(CharacterStatus.OK),
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
        return self.filter(started_at__isnull=False).filter(
            Q(finished_at__isnull=True) | Q(finished_at__lt=F("started_at"))
        )


class SectionUpdateStatusManager(models.Manager.from_queryset(SectionUpdateStatusQuerySet)):
    pass
