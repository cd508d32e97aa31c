"""Seed the demo: an admin account and Member Audit permissions for members."""

from django.contrib.auth.models import Permission, User
from django.core.management.base import BaseCommand

from allianceauth.authentication.models import State


class Command(BaseCommand):
    help = "Prepare the demo site: admin account and app permissions. Safe to run again."

    def handle(self, *args, **options):
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.com", "admin")
            self.stdout.write("Created superuser admin / admin")
        basic_access = Permission.objects.get(
            content_type__app_label="memberaudit", codename="basic_access"
        )
        for state in State.objects.all():
            state.permissions.add(basic_access)
        guest_state = State.objects.filter(name="Guest").first()
        if guest_state:
            guest_state.permissions.add(basic_access)
        self.stdout.write("Demo data ready")
