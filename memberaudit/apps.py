from django.apps import AppConfig


class MemberAuditConfig(AppConfig):
    name = "memberaudit"
    label = "memberaudit"
    # Permissions are listed as "memberaudit | general | ..." in Auth's group and state admin.
    verbose_name = "memberaudit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the system checks and connects the signal receivers.
        from . import checks, signals  # noqa: F401
