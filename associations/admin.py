from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from mptt.admin import DraggableMPTTAdmin
from mptt.forms import MPTTAdminForm
from simple_history.admin import SimpleHistoryAdmin

from .access import is_central_admin
from .admin_access import CentralOnlyAdminMixin, HistoryIdsMixin
from .data_version import bump_data_version
from .models import Association, Role, Succession
from .services import association_move, association_update, tree_change_check


class RoleInline(CentralOnlyAdminMixin, admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["user"]


class AssociationAdminForm(MPTTAdminForm):
    """Asks the tree's guards while validating, so that a refused edit is shown on the form with its reason."""

    def clean(self):
        cleaned_data = super().clean()
        # Every field, not only changed_data: a history revert's form starts from an old version, not
        # from the stored node, and the guards compare with the stored node themselves.
        changes = {name: cleaned_data[name] for name in self.fields if name in cleaned_data}
        if self.instance.pk is not None and changes:
            try:
                tree_change_check(association=self.instance, changes=changes)
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned_data


class SuccessionInline(CentralOnlyAdminMixin, admin.TabularInline):
    model = Succession
    fk_name = "predecessor"
    extra = 0
    raw_id_fields = ["successor"]


@admin.register(Association)
class AssociationAdmin(HistoryIdsMixin, SimpleHistoryAdmin, DraggableMPTTAdmin):
    """Staff see their subtree here (also to pick an association for a row); only superusers reshape it."""

    form = AssociationAdminForm

    list_display = ["tree_actions", "indented_title", "tier", "code", "active_from", "active_until"]
    list_display_links = ["indented_title"]
    list_filter = ["tier"]
    search_fields = ["name", "short_name", "code"]
    raw_id_fields = ["parent"]
    inlines = [RoleInline, SuccessionInline]
    expand_tree_by_default = False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_view_permission(self, request, obj=None):
        # The history pages look a node up without get_queryset(): keep them to the user's subtree too.
        allowed = super().has_view_permission(request, obj)
        if not allowed or obj is None or is_central_admin(request.user):
            return allowed
        return Association.objects.visible_to(request.user).filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        return is_central_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_central_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_central_admin(request.user)

    def save_model(self, request, obj, form, change):
        if change:
            changes = {name: getattr(obj, name) for name in form.fields if name in form.cleaned_data}
            association_update(user=request.user, association=obj, changes=changes)
        else:
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A new node and the inlines (successions, roles) are saved by the admin itself, not by a
        # service; the change view's transaction still holds, so the bump commits with them.
        bump_data_version()

    def changelist_view(self, request, extra_context=None):
        # The tree's drag and drop posts its moves here: they take the change form's path (the
        # service and its tier rules) instead of mptt's own move.
        if request.method == "POST" and request.POST.get("cmd") == "move_node":
            return self.move_dropped_node(request)
        return super().changelist_view(request, extra_context)

    def move_dropped_node(self, request) -> HttpResponse:
        """Move the dragged node under its new parent; answers mptt's script with OK or FAIL."""
        nodes = self.get_queryset(request)
        position = request.POST.get("position")
        try:
            node = nodes.get(pk=request.POST.get("cut_item"))
            target = nodes.get(pk=request.POST.get("pasted_on"))
        except (Association.DoesNotExist, TypeError, ValueError):
            return HttpResponse("FAIL, unknown node.")
        if position not in ("last-child", "left", "right") or not self.has_change_permission(request, node):
            return HttpResponse("FAIL, not allowed.")
        # Siblings are ordered by their sort key, so a drop beside a node only chooses the parent.
        parent = target if position == "last-child" else target.parent
        try:
            association_move(user=request.user, association=node, parent=parent)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)
            return HttpResponse("FAIL, invalid move.")
        self.log_change(request, node, [{"changed": {"fields": ["parent"]}}])
        self.message_user(request, _("Đã chuyển %(name)s.") % {"name": node})
        return HttpResponse("OK, moved.")


@admin.register(Role)
class RoleAdmin(CentralOnlyAdminMixin, HistoryIdsMixin, SimpleHistoryAdmin):
    list_display = ["user", "role", "association"]
    list_filter = ["role"]
    search_fields = ["user__username", "association__name"]
    raw_id_fields = ["association"]
    autocomplete_fields = ["user"]


# Accounts too: whoever edits them could make themselves a superuser.
admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class UserAdmin(CentralOnlyAdminMixin, auth_admin.UserAdmin):
    pass


@admin.register(Group)
class GroupAdmin(CentralOnlyAdminMixin, auth_admin.GroupAdmin):
    pass
