"""The admin of the figures: lists and lookups scoped by the access policy, writes through the services."""

from contextlib import contextmanager

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from associations.admin_access import ScopedAdminMixin

from . import services
from .models import AnnualReturn, Fund, FundBalance, Scholarship, Transfer


class ThroughServicesAdmin(SimpleHistoryAdmin):
    """Writes go through funds.services, so the admin keeps the entry form's rules; an approved year
    also shows read-only here (the service would refuse the save anyway)."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs.setdefault(
            "form", self.form if issubclass(self.form, ServiceCheckedForm) else ServiceCheckedForm
        )
        form = super().get_form(request, obj, change, **kwargs)
        form.request_user = request.user
        return form

    def lock_key(self, obj):
        return obj.association_id, obj.year

    def _locked(self, obj) -> bool:
        return obj is not None and services.year_is_locked(*self.lock_key(obj))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._locked(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._locked(obj)

    def save_model(self, request, obj, form, change):
        with refused_as_403():
            services.figures_row_save(user=request.user, row=obj)

    def delete_model(self, request, obj):
        with refused_as_403():
            services.figures_row_delete(user=request.user, row=obj)

    def delete_queryset(self, request, queryset):
        with refused_as_403(), transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


@contextmanager
def refused_as_403():
    """A write the services refuse after the page was shown (a race with an approval, a stale form)."""
    try:
        yield
    except (ValidationError, services.ConflictError) as exc:
        messages = (
            exc.messages if isinstance(exc, ValidationError) else [_("Có người khác vừa lưu báo cáo này.")]
        )
        raise PermissionDenied(" ".join(messages)) from exc


class ServiceCheckedForm(forms.ModelForm):
    """Shows beside the fields what the services would refuse, so the admin answers like the entry form."""

    request_user = None

    def check(self, instance) -> None:
        services.figures_row_check(user=self.request_user, row=instance)

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.check(self.instance)
        except ValidationError as exc:
            self.add_error(None, exc)
        except services.ConflictError:
            self.add_error(
                None, _("Có người khác vừa lưu báo cáo này; hãy tải lại trang để xem số liệu mới.")
            )


class AnnualReturnAdminForm(ServiceCheckedForm):
    # The version the page was loaded with: a save after someone else's is a conflict, as in the entry form.
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Read from the table, not the instance: a history revert's instance is an old version.
            stored = (
                AnnualReturn.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            )
            self.fields["expected_version"].initial = stored

    def check(self, instance) -> None:
        if instance.association_id is None or instance.year is None:
            return
        services.annual_return_check(
            user=self.request_user,
            association=instance.association,
            year=instance.year,
            expected_version=self.cleaned_data.get("expected_version") if instance.pk else None,
        )


@admin.register(AnnualReturn)
class AnnualReturnAdmin(ScopedAdminMixin, ThroughServicesAdmin):
    form = AnnualReturnAdminForm
    list_display = [
        "association",
        "year",
        "status",
        "coverage",
        "mobilised_cash",
        "mobilised_in_kind",
        "population",
    ]
    list_filter = ["year", "status", "coverage"]
    search_fields = ["association__name", "association__code"]
    raw_id_fields = ["association"]
    # Submitting, approving, reopening and sending back belong to the review pages, which carry the
    # version the reviewer saw; the version itself is the services' to bump.
    readonly_fields = [
        "version",
        "updated_at",
        "status",
        "submitted_by",
        "submitted_at",
        "approved_by",
        "approved_at",
        "reopen_reason",
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        # A return stays with its association and year; another one is another return.
        return [*fields, "association", "year"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        figures = {
            name: getattr(obj, name)
            for name in [*AnnualReturn.FIGURE_FIELDS, "coverage", "notes", "qualifiers"]
        }
        with refused_as_403():
            saved = services.annual_return_save(
                user=request.user,
                association=obj.association,
                year=obj.year,
                changes=services.ReturnChanges(figures=figures),
                expected_version=self._expected_version(form, obj) if change else None,
                # Central staff correct figures here knowingly; the entry form asks officers to confirm.
                confirm_outliers=True,
            )
        obj.pk, obj.version = saved.pk, saved.version

    def delete_model(self, request, obj):
        with refused_as_403():
            services.annual_return_delete(user=request.user, annual_return=obj)

    @staticmethod
    def _expected_version(form, obj) -> int | None:
        # A POST without the hidden field (a script, not the page) saves over the current version.
        expected = form.cleaned_data.get("expected_version")
        if expected is None:
            expected = AnnualReturn.objects.filter(pk=obj.pk).values_list("version", flat=True).first()
        return expected


class FundBalanceInlineFormSet(BaseInlineFormSet):
    """The fund admin's balances, saved and deleted one by one through the services."""

    def get_form_kwargs(self, index):
        # A stored balance left as it was is not a write: only the rows that change ask the lock, so
        # that the fund's own fields can be saved, and refused for their own reason.
        return {**super().get_form_kwargs(index), "empty_permitted": True}

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk:
                try:
                    services.figures_row_check(user=self.request_user, row=form.instance)
                except ValidationError as exc:
                    raise ValidationError(exc.messages) from exc

    def save(self, commit=True):
        user = self.request_user
        # The admin's change message reads these, as BaseModelFormSet.save() would set them.
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []
        with refused_as_403():
            for form in self.deleted_forms:
                if form.instance.pk:
                    services.figures_row_delete(user=user, row=form.instance)
                    self.deleted_objects.append(form.instance)
            for form in self.forms:
                if form in self.deleted_forms or not form.has_changed():
                    continue
                row = form.save(commit=False)
                row.fund = self.instance
                new = row.pk is None
                services.figures_row_save(user=user, row=row)
                if new:
                    self.new_objects.append(row)
                else:
                    self.changed_objects.append((row, form.changed_data))
        return self.new_objects + [row for row, _fields in self.changed_objects]


class FundBalanceInline(admin.TabularInline):
    model = FundBalance
    formset = FundBalanceInlineFormSet
    form = ServiceCheckedForm
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request_user = formset.form.request_user = request.user
        return formset


@admin.register(Fund)
class FundAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "association"]
    list_filter = ["kind"]
    search_fields = ["name", "association__name"]
    raw_id_fields = ["association"]
    inlines = [FundBalanceInline]

    def delete_model(self, request, obj):
        with refused_as_403():
            services.fund_delete(user=request.user, fund=obj)

    def delete_queryset(self, request, queryset):
        with refused_as_403(), transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


@admin.register(FundBalance)
class FundBalanceAdmin(ScopedAdminMixin, ThroughServicesAdmin):
    list_display = ["fund", "year", "balance"]
    list_filter = ["year"]
    raw_id_fields = ["fund"]

    def lock_key(self, obj):
        return obj.fund.association_id, obj.year


@admin.register(Scholarship)
class ScholarshipAdmin(ScopedAdminMixin, ThroughServicesAdmin):
    list_display = ["programme", "association", "year", "awards", "total_value"]
    list_filter = ["year", "in_kind", "abroad"]
    raw_id_fields = ["association"]


@admin.register(Transfer)
class TransferAdmin(ScopedAdminMixin, ThroughServicesAdmin):
    list_display = ["year", "date", "giver", "giver_name", "recipient", "amount", "purpose"]
    list_filter = ["year"]
    raw_id_fields = ["giver", "recipient"]

    def lock_key(self, obj):
        return obj.recipient_id, obj.year
