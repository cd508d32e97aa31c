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


def bulk_update_changes(model, changes, *, batch_size=None) -> int:
    """Write each object's own changed fields, in bulk.

    ``changes`` holds ``(object, changed field names)`` pairs. Objects are grouped by the set of
    fields that changed, so a row is never written with another row's fields: an object built
    with only its primary key and changed fields would otherwise write blanks into the rest.
    Returns the number of objects written.
    """
    batch_size = batch_size or app_settings.MEMBERAUDIT_BULK_METHODS_BATCH_SIZE
    groups: dict[tuple[str, ...], list] = {}
    for obj, fields in changes:
        if fields:
            groups.setdefault(tuple(sorted(fields)), []).append(obj)
    for fields, objects in groups.items():
        model.objects.bulk_update(objects, list(fields), batch_size=batch_size)
    return sum(len(objects) for objects in groups.values())


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


def sync_one(model, character, values: dict) -> bool:
    """Make a character's one row of ``model`` hold ``values``; write only what differs.

    Returns whether anything was written.
    """
    row = model.objects.filter(character=character).first()
    if row is None:
        model.objects.create(character=character, **values)
        return True
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    if changed:
        for name in changed:
            setattr(row, name, values[name])
        row.save(update_fields=changed)
    return bool(changed)
