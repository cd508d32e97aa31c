from django.apps import AppConfig, apps


class MemberAuditConfig(AppConfig):
    name = "memberaudit"
    label = "memberaudit"
    # Permissions are listed as "memberaudit | general | ..." in Auth's group and state admin.
    verbose_name = "memberaudit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the system checks and connects the signal receivers.
        from . import checks, signals  # noqa: F401
        from .esi_client import use_operations
        from .sections import registry

        # The ESI client offers exactly the operations the sections declare.
        use_operations(registry.all_operations())
        from .fitted_fields import fit_fields_of

        # Values from ESI fit their columns on every write (see fitted_fields); also in the
        # tables of eveuniverse, which the sections fill with EVE names and types from ESI.
        for config in (self, apps.get_app_config("eveuniverse")):
            for model in config.get_models():
                fit_fields_of(model)
