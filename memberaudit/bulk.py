"""Bulk writes that work the same on SQLite, PostgreSQL and MariaDB."""

from django.db import connections, router


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
