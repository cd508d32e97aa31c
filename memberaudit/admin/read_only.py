"""What the read-only admins share: nothing can be added, changed or deleted through them."""


class ReadOnlyAdminMixin:
    """Denies adding, changing and deleting to everyone, superusers included, in a model admin
    or an inline (whose ``has_add_permission`` is also given the parent object); viewing
    follows the admin's own rules. It goes before the admin class it is mixed into."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
