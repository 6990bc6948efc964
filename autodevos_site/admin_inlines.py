from django.contrib import admin


class ReadOnlyTabularInline(admin.TabularInline):
    """Records listed under their parent for review: shown, linked, never added, changed or deleted here."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False
