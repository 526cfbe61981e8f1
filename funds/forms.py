from django import forms
from django.utils.translation import gettext_lazy as _

from core.numbers import grouped, parse_amount, parse_id

from .models import MAX_AMOUNT, MAX_POPULATION, AnnualReturn, Fund

OUTLIER_FACTOR = 5


class AmountField(forms.Field):
    """A whole number typed with or without Vietnamese thousands dots, shown back grouped."""

    default_error_messages = {
        "invalid": _(
            "“%(value)s” không phải là một số nguyên. Ví dụ hợp lệ: 43.200.000.000 hoặc 43200000000."
        ),
        "negative": _("Số liệu không được âm."),
        "too_big": _("Số liệu vượt quá giới hạn hợp lý (tối đa %(max)s)."),
        "too_small": _("Giá trị phải ít nhất là %(min)s."),
    }

    def __init__(self, *, max_value: int = MAX_AMOUNT, min_value: int = 0, **kwargs):
        self.max_value, self.min_value = max_value, min_value
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"class": "amount", "inputmode": "numeric", "autocomplete": "off"}),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return grouped(value)
        return value

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, int):
            return value
        try:
            return parse_amount(str(value))
        except ValueError:
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value < 0:
            raise forms.ValidationError(self.error_messages["negative"], code="negative")
        if value < self.min_value:
            raise forms.ValidationError(
                self.error_messages["too_small"], code="too_small", params={"min": grouped(self.min_value)}
            )
        if value > self.max_value:
            raise forms.ValidationError(
                self.error_messages["too_big"], code="too_big", params={"max": grouped(self.max_value)}
            )


class ReturnForm(forms.Form):
    population = AmountField(
        label=_("Dân số (người)"), max_value=MAX_POPULATION, min_value=1, help_text=_("Để trống nếu chưa có.")
    )
    mobilised_cash = AmountField(label=_("Vận động bằng tiền (đồng)"))
    mobilised_in_kind = AmountField(label=_("Vận động bằng hiện vật, quy ra tiền (đồng)"))
    fund_balance = AmountField(label=_("Số dư quỹ khuyến học cuối năm (đồng)"))
    awards_paid = AmountField(label=_("Khen thưởng, hỗ trợ đã chi (đồng)"))
    facilities = AmountField(label=_("Nguồn lực xây dựng cơ sở vật chất trường học (đồng)"))
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    confirm_outliers = forms.BooleanField(
        required=False, label=_("Tôi đã kiểm tra, các số liệu khác thường này là đúng.")
    )

    FIGURES = AnnualReturn.FIGURE_FIELDS

    def __init__(
        self, *args, previous: AnnualReturn | None = None, current: AnnualReturn | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.previous = previous
        self.current = current
        self.outliers: list[tuple[str, int, int]] = []

    def clean(self):
        data = super().clean()
        self.outliers = []
        if self.previous is not None:
            for name in self.FIGURES:
                old, new = getattr(self.previous, name), data.get(name)
                # A figure already saved after confirmation is not questioned again.
                if self.current is not None and getattr(self.current, name) == new:
                    continue
                if old and new is not None and (new > OUTLIER_FACTOR * old or new * OUTLIER_FACTOR < old):
                    self.outliers.append((self.fields[name].label, old, new))
        if self.outliers and not data.get("confirm_outliers"):
            raise forms.ValidationError(
                _(
                    "Một số số liệu lớn hơn gấp 5 lần hoặc nhỏ hơn 1/5 so với năm trước. "
                    "Hãy kiểm tra lại rồi đánh dấu ô xác nhận để lưu."
                ),
                code="outlier",
            )
        return data

    def figures(self) -> dict:
        return {name: self.cleaned_data[name] for name in [*self.FIGURES, "notes"]}


class FundRowForm(forms.Form):
    fund_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Tên quỹ"), max_length=200)
    kind = forms.ChoiceField(label=_("Loại"), choices=Fund.Kind.choices, initial=Fund.Kind.NAMED)
    balance = AmountField(label=_("Số dư cuối năm (đồng)"))


class ScholarshipRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    programme = forms.CharField(label=_("Chương trình học bổng"), max_length=200)
    donor = forms.CharField(label=_("Nhà tài trợ"), max_length=200, required=False)
    awards = AmountField(label=_("Số suất"), max_value=10_000_000)
    total_value = AmountField(label=_("Tổng giá trị (đồng)"))
    in_kind = forms.BooleanField(label=_("Hiện vật"), required=False)
    abroad = forms.BooleanField(label=_("Ở nước ngoài"), required=False)


class TransferRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    giver_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    giver_name = forms.CharField(label=_("Nơi trao"), max_length=200, required=False)
    date = forms.DateField(
        label=_("Ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    amount = AmountField(label=_("Số tiền (đồng)"), help_text=_("Để trống nếu không công bố."))
    purpose = forms.CharField(label=_("Mục đích"), max_length=300)

    def __init__(self, *args, year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.year = year

    def clean(self):
        data = super().clean()
        if not data.get("DELETE") and not data.get("giver_id") and not (data.get("giver_name") or "").strip():
            self.add_error("giver_name", _("Cần ghi rõ hội hoặc người/tổ chức trao."))
        if self.year and data.get("date") and data["date"].year != self.year:
            self.add_error("date", _("Ngày trao phải thuộc năm %(year)s.") % {"year": self.year})
        return data


class UniqueRowsFormSet(forms.BaseFormSet):
    """Refuses two kept rows with the same key field (a fund name, a programme)."""

    unique_field = ""
    duplicate_message = _("“%(value)s” xuất hiện hai lần.")

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            value = (form.cleaned_data.get(self.unique_field) or "").strip().casefold()
            if value in seen:
                raise forms.ValidationError(
                    self.duplicate_message % {"value": form.cleaned_data[self.unique_field]}
                )
            seen.add(value)


class FundRowsFormSet(UniqueRowsFormSet):
    unique_field = "name"
    duplicate_message = _("Quỹ “%(value)s” xuất hiện hai lần.")


class ScholarshipRowsFormSet(UniqueRowsFormSet):
    unique_field = "programme"
    duplicate_message = _("Chương trình học bổng “%(value)s” xuất hiện hai lần.")


FundFormSet = forms.formset_factory(FundRowForm, formset=FundRowsFormSet, extra=0, can_delete=True)
ScholarshipFormSet = forms.formset_factory(
    ScholarshipRowForm, formset=ScholarshipRowsFormSet, extra=0, can_delete=True
)
TransferFormSet = forms.formset_factory(TransferRowForm, extra=0, can_delete=True)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do mở lại"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do trả lại"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


def parse_seen(values: list[str]) -> dict[int, int]:
    """{return id: version} from posted "id:version" pairs, each value holding one or several joined by
    commas; malformed pairs are dropped, so that a tampered form approves less, never errs."""
    seen = {}
    for value in values:
        for pair in value.split(","):
            pk, _sep, version = pair.strip().partition(":")
            pk, version = parse_id(pk), parse_id(version)
            if pk is not None and version is not None:
                seen[pk] = version
    return seen
