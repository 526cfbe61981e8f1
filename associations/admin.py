from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from mptt.admin import DraggableMPTTAdmin

from .models import Association, Role


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Association)
class AssociationAdmin(DraggableMPTTAdmin):
    list_display = ["tree_actions", "indented_title", "tier", "code", "active_from", "active_until"]
    list_display_links = ["indented_title"]
    list_filter = ["tier"]
    search_fields = ["name", "short_name", "code"]
    raw_id_fields = ["parent", "successor"]
    inlines = [RoleInline]
    expand_tree_by_default = False

    def _move_node(self, request):
        # Drag and drop skips the change form, so the tier rules are checked here as well.
        position = request.POST.get("position")
        try:
            node = self.model._tree_manager.get(pk=request.POST.get("cut_item"))
            target = self.model._tree_manager.get(pk=request.POST.get("pasted_on"))
        except (self.model.DoesNotExist, TypeError, ValueError):
            return HttpResponse("FAIL, unknown node.")
        node.parent = target if position == "last-child" else target.parent
        try:
            node.clean()
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)
            return HttpResponse("FAIL, invalid move.")
        return super()._move_node(request)


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "association"]
    list_filter = ["role"]
    search_fields = ["user__username", "association__name"]
    raw_id_fields = ["association"]
    autocomplete_fields = ["user"]
