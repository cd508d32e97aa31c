"""Finding and deleting the stored data of characters, whatever sections exist.

Section data is found generically: every model of this app with a foreign key or one-to-one
field to :class:`~memberaudit.models.Character` holds data of one character. A new section
therefore needs no change here.
"""

from collections import Counter
from collections.abc import Callable

from django.apps import apps
from django.db import models
from django.db.models.deletion import ProtectedError

from . import app_settings
from .models import Character

ProgressCallback = Callable[[type[models.Model], int], None]


def character_data_models() -> list[tuple[type[models.Model], str]]:
    """Every model of this app that points at a character, with the name of that field."""
    found = []
    for model in apps.get_app_config("memberaudit").get_models():
        if model is Character:
            continue
        for field in model._meta.get_fields():
            if (
                field.concrete
                and (field.many_to_one or field.one_to_one)
                and field.related_model is Character
            ):
                found.append((model, field.name))
                break
    return found


def delete_in_batches(queryset: models.QuerySet, batch_size: int | None = None) -> Counter:
    """Delete the rows of a queryset a batch at a time; return deleted rows per model label.

    Short transactions keep locks brief and let huge tables (assets, mails) be deleted without
    one statement running for minutes.
    """
    batch_size = batch_size or app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    model = queryset.model
    deleted: Counter = Counter()
    while True:
        pks = list(queryset.order_by().values_list("pk", flat=True)[:batch_size])
        if not pks:
            return deleted
        _, per_model = model._base_manager.filter(pk__in=pks).delete()
        deleted.update({label: count for label, count in per_model.items() if count})


def delete_character_data(
    character: Character | None = None,
    batch_size: int | None = None,
    on_progress: ProgressCallback | None = None,
) -> Counter:
    """Delete the stored section data and status rows of one character, or of all characters.

    The ``Character`` rows themselves stay. Returns the number of deleted rows per model label.
    Models protected by another data model are retried after the others are gone.
    """
    pending = character_data_models()
    deleted: Counter = Counter()
    while pending:
        blocked = []
        for model, field_name in pending:
            queryset = model._base_manager.all()
            if character is not None:
                queryset = queryset.filter(**{field_name: character})
            try:
                counts = delete_in_batches(queryset, batch_size)
            except ProtectedError:
                blocked.append((model, field_name))
                continue
            deleted.update(counts)
            if on_progress:
                on_progress(model, counts.get(model._meta.label, 0))
        if len(blocked) == len(pending):
            names = ", ".join(model._meta.label for model, _ in blocked)
            raise ProtectedError(f"Rows of {names} are protected by other data", set())
        pending = blocked
    return deleted
