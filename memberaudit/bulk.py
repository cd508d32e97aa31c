"""Bulk writes that work the same on SQLite, PostgreSQL and MariaDB."""

from django.db import connections, router

from . import app_settings


def bulk_upsert(model, objects, *, unique_fields, update_fields, batch_size=None):
    """Insert rows, or update ``update_fields`` of rows that already exist.

    MariaDB/MySQL upsert on any unique key and refuse an explicit conflict target; the other
    backends need it.
    """
    connection = connections[router.db_for_write(model)]
    target = unique_fields if connection.features.supports_update_conflicts_with_target else None
    return model.objects.bulk_create(
        objects,
        batch_size=batch_size,
        update_conflicts=True,
        unique_fields=target,
        update_fields=update_fields,
    )


def sync_by_key(queryset, key: str, wanted: dict, fields, **new_values) -> tuple[dict, list, bool]:
    """Make the rows of ``queryset`` match ``wanted`` (``{key value: {field: value}}``).

    Deletes rows whose key is not wanted, updates only the rows whose ``fields`` differ and
    creates the missing ones (with ``new_values`` such as the character), all in bulk.
    Returns the existing rows by key, the created objects and whether anything was written.
    """
    model = queryset.model
    batch_size = app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    existing = {getattr(row, key): row for row in queryset}
    gone = [value for value in existing if value not in wanted]
    new, changed = [], []
    for value, values in wanted.items():
        row = existing.get(value)
        if row is None:
            new.append(model(**new_values, **{key: value}, **{n: values[n] for n in fields}))
        elif any(getattr(row, name) != values[name] for name in fields):
            for name in fields:
                setattr(row, name, values[name])
            changed.append(row)
    if gone:
        queryset.filter(**{f"{key}__in": gone}).delete()
    if changed:
        model.objects.bulk_update(changed, list(fields), batch_size=batch_size)
    if new:
        model.objects.bulk_create(new, batch_size=batch_size)
    return existing, new, bool(gone or new or changed)
