from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from simple_history.admin import SimpleHistoryAdmin

from associations.access import is_central_admin
from associations.admin_access import ScopedAdminMixin

from .models import AnnualReturn, Fund, FundBalance, Scholarship, Transfer, ensure_unlocked


class LockAwareAdmin(SimpleHistoryAdmin):
    """Approved years are read-only here too; model clean() refuses the write, this hides the buttons."""

    def _locked(self, obj) -> bool:
        if obj is None:
            return False
        association_id, year = self.lock_key(obj)
        return AnnualReturn.objects.filter(
            association_id=association_id, year=year, status=AnnualReturn.Status.APPROVED
        ).exists()

    def lock_key(self, obj):
        return obj.association_id, obj.year

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)


@admin.register(AnnualReturn)
class AnnualReturnAdmin(ScopedAdminMixin, LockAwareAdmin):
    list_display = ["association", "year", "status", "mobilised_cash", "mobilised_in_kind", "population"]
    list_filter = ["year", "status"]
    search_fields = ["association__name", "association__code"]
    raw_id_fields = ["association", "submitted_by", "approved_by"]
    readonly_fields = ["version", "updated_at"]
    workflow_fields = [
        "status",
        "submitted_by",
        "submitted_at",
        "approved_by",
        "approved_at",
        "reopen_reason",
    ]

    def get_readonly_fields(self, request, obj=None):
        # Submitting, approving and reopening belong to the review pages, which ask the policy.
        fields = super().get_readonly_fields(request, obj)
        return fields if is_central_admin(request.user) else [*fields, *self.workflow_fields]

    def save_model(self, request, obj, form, change):
        # Someone with the entry form open must be told that the return changed under them.
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


class FundBalanceInlineFormSet(BaseInlineFormSet):
    """Refuses deleting a balance of an approved year, which skips the model's clean()."""

    def get_form_kwargs(self, index):
        # A stored balance left as it was is not a write: only the rows that change ask the lock, so
        # that the fund's own fields can be saved, and refused for their own reason.
        return {**super().get_form_kwargs(index), "empty_permitted": True}

    def clean(self):
        super().clean()
        for form in self.initial_forms:
            if form.instance.pk and self._should_delete_form(form):
                ensure_unlocked(self.instance.association_id, form.initial["year"])


class FundBalanceInline(admin.TabularInline):
    model = FundBalance
    formset = FundBalanceInlineFormSet
    extra = 0


@admin.register(Fund)
class FundAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "association"]
    list_filter = ["kind"]
    search_fields = ["name", "association__name"]
    raw_id_fields = ["association"]
    inlines = [FundBalanceInline]


@admin.register(FundBalance)
class FundBalanceAdmin(ScopedAdminMixin, LockAwareAdmin):
    list_display = ["fund", "year", "balance"]
    list_filter = ["year"]
    raw_id_fields = ["fund"]

    def lock_key(self, obj):
        return obj.fund.association_id, obj.year


@admin.register(Scholarship)
class ScholarshipAdmin(ScopedAdminMixin, LockAwareAdmin):
    list_display = ["programme", "association", "year", "awards", "total_value"]
    list_filter = ["year", "in_kind", "abroad"]
    raw_id_fields = ["association"]


@admin.register(Transfer)
class TransferAdmin(ScopedAdminMixin, LockAwareAdmin):
    list_display = ["year", "date", "giver", "giver_name", "recipient", "amount", "purpose"]
    list_filter = ["year"]
    raw_id_fields = ["giver", "recipient"]

    def lock_key(self, obj):
        return obj.recipient_id, obj.year
