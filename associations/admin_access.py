"""The admin asks the access policy (associations/access.py) like every view does.

Staff reach the admin through Django's model permissions, as usual; the policy then narrows them to
the tree. Lists and lookups hold what the user sees, a change or a delete needs the right to change
the figures of the row's association, and the association a row belongs to can only be one the user
may fill in. Superusers keep the whole admin.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.numbers import parse_id

from .access import holds_perm_anywhere, is_central_admin
from .models import Association, Perm


class CentralOnlyAdminMixin:
    """Pages no role grants (reshaping the tree, roles, accounts): superusers only."""

    def has_module_permission(self, request):
        return is_central_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_central_admin(request.user)

    def has_add_permission(self, request, *args):
        return is_central_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_central_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_central_admin(request.user)


class HistoryIdsMixin:
    """django-simple-history looks its URL's ids up as given, and a non-numeric one raised ValueError."""

    def history_view(self, request, object_id, extra_context=None):
        _numeric(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        _numeric(object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


def _numeric(*ids: str) -> None:
    if any(parse_id(unquote(str(value))) is None for value in ids):
        raise Http404


class ScopedAdminMixin(HistoryIdsMixin):
    """For rows that belong to an association (their model's queryset is a ScopedQuerySet)."""

    @property
    def scope_field(self) -> str:
        """The foreign key that ties a row to its association ("association", "recipient", "fund")."""
        return self.model._default_manager._queryset_class.scope.split("__")[0]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def _may_enter_figures(self, request) -> bool:
        # Asked several times per page by the admin's templates; one query per request is enough.
        if not hasattr(request, "_may_enter_figures"):
            request._may_enter_figures = holds_perm_anywhere(request.user, Perm.EDIT_FIGURES)
        return request._may_enter_figures

    def _row_in(self, rows, obj) -> bool:
        return rows.filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        if not allowed or obj is None or is_central_admin(request.user):
            return allowed
        return self._row_in(self.model._default_manager.visible_to(request.user), obj)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self._may_enter_figures(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_change(request, obj)

    def _may_change(self, request, obj) -> bool:
        if is_central_admin(request.user):
            return True
        if obj is None:
            return self._may_enter_figures(request)
        return self._row_in(self.model._default_manager.editable_by(request.user), obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == self.scope_field and not is_central_admin(request.user):
            related = db_field.related_model._default_manager
            kwargs["queryset"] = (
                related.with_perm(request.user, Perm.EDIT_FIGURES)
                if db_field.related_model is Association
                else related.editable_by(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history saves a reverted version for anyone who may merely view the row.
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            # The approval lock is left to the model's clean(), which tells the user why.
            allowed = (
                self.has_change_permission(request) and self._may_change(request, obj)
                if obj
                else is_central_admin(request.user)
            )
            if not allowed:
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
