"""Values from ESI fitted to their database columns, on every write.

ESI sometimes sends what its spec does not allow: a name longer than any EVE name, a NUL byte,
a number beyond a column's range. One such value must not fail a whole section, so every
write of the app's models (``save``, ``bulk_create``, ``bulk_update``, ``update``) fits values
to their column at the one point Django prepares them for the database
(``get_db_prep_save``), whichever section or helper wrote them:

- text loses NUL bytes (no database keeps them reliably) and is cut to the column's
  ``max_length``, ending with an ellipsis;
- whole numbers beyond the column's range (not keys) and decimals with more whole digits
  than the column holds are brought to the nearest value the column holds.

Each kind of change is logged once per column and process. Text in 4-byte UTF-8 (emoji, rare
scripts) is stored as sent: MariaDB/MySQL databases must use ``utf8mb4`` (see
``docs/operations.md``). Lookups are untouched: only writes are fitted.
"""

import logging
from decimal import Decimal

from django.db import models

logger = logging.getLogger(__name__)

ELLIPSIS = "…"
_logged: set[tuple[str, str]] = set()


def fit_text(value: str, max_length: int | None, column: str = "") -> str:
    """``value`` without NUL bytes and at most ``max_length`` characters (ending with an
    ellipsis when it was cut)."""
    if "\x00" in value:
        value = value.replace("\x00", "")
        _log_once(column, "NUL bytes removed")
    if max_length and len(value) > max_length:
        value = value[: max_length - 1] + ELLIPSIS
        _log_once(column, f"text cut to {max_length} characters")
    return value


def fit_to_column(model, field_name: str, value) -> str:
    """:func:`fit_text` for the column ``model.field_name``: for sections that compare what
    ESI sent with what is stored, and so need the stored form before writing."""
    field = model._meta.get_field(field_name)
    return fit_text(str(value or ""), field.max_length, f"{model._meta.label}.{field_name}")


def fit_number(value, low, high, column: str = ""):
    """``value`` brought into ``low``..``high`` (either may be None: no bound)."""
    if low is not None and value < low:
        _log_once(column, f"number raised to {low}")
        return type(value)(low)
    if high is not None and value > high:
        _log_once(column, f"number lowered to {high}")
        return type(value)(high)
    return value


class _FittedText:
    def get_db_prep_save(self, value, connection):
        if isinstance(value, str):
            value = fit_text(value, self.max_length, _column(self))
        return super().get_db_prep_save(value, connection)


class _FittedInteger:
    def get_db_prep_save(self, value, connection):
        if isinstance(value, int) and not isinstance(value, bool):
            low, high = connection.ops.integer_field_range(self.get_internal_type())
            value = fit_number(value, low, high, _column(self))
        return super().get_db_prep_save(value, connection)


class _FittedDecimal:
    def get_db_prep_save(self, value, connection):
        if isinstance(value, int | float | Decimal) and self.max_digits is not None:
            # a whole number: SQLite keeps decimals as floats, exact for whole numbers only
            bound = Decimal(10) ** (self.max_digits - (self.decimal_places or 0)) - 1
            value = fit_number(Decimal(value), -bound, bound, _column(self))
        return super().get_db_prep_save(value, connection)


def fit_fields_of(model) -> None:
    """Make the text, number and decimal fields of ``model`` fit values on every write.

    Keys (primary, unique and relation fields) are left alone: a wrong id is worse than a
    refused row.
    """
    for field in model._meta.concrete_fields:
        mixin = _mixin_for(field)
        if mixin is not None and not isinstance(field, mixin):
            field.__class__ = _fitted_class(mixin, field.__class__)


def _mixin_for(field):
    if field.primary_key or field.unique or field.is_relation:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return _FittedText
    if isinstance(field, models.IntegerField):
        return _FittedInteger
    if isinstance(field, models.DecimalField):
        return _FittedDecimal
    return None


_classes: dict[tuple[type, type], type] = {}


def _fitted_class(mixin: type, base: type) -> type:
    """``base`` with ``mixin``, under the name and module of ``base``: migrations, pickling
    and the admin see the field they always saw."""
    key = (mixin, base)
    if key not in _classes:
        names = {"__module__": base.__module__, "__qualname__": base.__qualname__}
        _classes[key] = type(base.__name__, (mixin, base), names)
    return _classes[key]


def _column(field) -> str:
    model = getattr(field, "model", None)
    return f"{model._meta.label}.{field.name}" if model else field.name


def _log_once(column: str, what: str) -> None:
    if (column, what) in _logged:
        return
    _logged.add((column, what))
    logger.warning("Out-of-spec data from ESI for %s: %s", column or "a column", what)
