from dataclasses import dataclass

from django import forms
from django.utils.formats import get_format
from django.utils.translation import gettext_lazy as _

from core.numbers import AmbiguousAmount, grouped, parse_amount, parse_id, written

from . import catalogue
from .models import MAX_AMOUNT, AnnualReturn, Fund


class AmountField(forms.Field):
    """A whole number as people write it ("43.200.000.000", "43,2 tỷ"), shown back grouped.

    `money=False` for counts of people or awards: their examples are not in tỷ, and a number with
    decimals is simply not a whole number. `thousands` is the grouping mark; by default the page
    language's, which is also how the field shows its value back and how the browser regroups it.
    """

    default_error_messages = {
        "invalid": _(
            "“%(value)s” không phải là một số nguyên. "
            "Ví dụ hợp lệ: %(grouped)s, 43200000000 hoặc %(decimal)s."
        ),
        "invalid_count": _("“%(value)s” không phải là một số nguyên. Ví dụ hợp lệ: %(grouped)s hoặc 1500."),
        "negative": _("Số liệu không được âm."),
        "too_big": _("Số liệu vượt quá giới hạn hợp lý (tối đa %(max)s)."),
        "too_small": _("Giá trị phải ít nhất là %(min)s."),
    }

    def __init__(
        self,
        *,
        max_value: int = MAX_AMOUNT,
        min_value: int = 0,
        money: bool = True,
        thousands: str | None = None,
        **kwargs,
    ):
        self.max_value, self.min_value = max_value, min_value
        self.money, self.thousands = money, thousands
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
        thousands = "," if (self.thousands or get_format("THOUSAND_SEPARATOR")) == "," else "."
        try:
            return parse_amount(str(value), thousands=thousands)
        except AmbiguousAmount as exc:
            if self.money:
                raise forms.ValidationError(str(exc), code="ambiguous") from None
            raise self._invalid(value, thousands) from None
        except ValueError:
            raise self._invalid(value, thousands) from None

    def _invalid(self, value, thousands: str) -> forms.ValidationError:
        """The examples are written with the marks the value was read with."""
        code = "invalid" if self.money else "invalid_count"
        examples = {"grouped": written("43.200.000.000" if self.money else "1.500", thousands)}
        examples["decimal"] = written("43,2 tỷ", thousands)
        return forms.ValidationError(
            self.error_messages[code], code=code, params={"value": value, **examples}
        )

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


def figure_form_field(figure: catalogue.Figure) -> AmountField:
    """The entry form's field for a typed figure of the catalogue: its label, unit and bounds."""
    return AmountField(
        label=figure.form_label,
        max_value=figure.max_value,
        min_value=figure.min_value,
        money=figure.unit == catalogue.MONEY,
        help_text=figure.help_text,
    )


def form_fields() -> list[str]:
    """What the entry form writes to a return: the catalogue's typed figures, coverage and notes."""
    return [*catalogue.columns(), *ReturnForm.EXTRA_FIELDS]


class ReturnForm(forms.Form):
    """The figures of a return, one field per typed figure of the catalogue, then coverage and notes."""

    coverage = forms.ChoiceField(
        label=_("Các số liệu trên là"),
        choices=AnnualReturn.Coverage.choices,
        initial=AnnualReturn.Coverage.OWN,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "“Toàn bộ các cấp” khi hội báo cáo con số chung cho cả hội mình và các hội trực thuộc "
            "(như “toàn tỉnh huy động …”); số liệu các hội cấp dưới khi đó không cộng thêm lần nữa."
        ),
    )
    notes = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    confirm_outliers = forms.BooleanField(
        required=False, label=_("Tôi đã kiểm tra, các số liệu khác thường này là đúng.")
    )

    # What the form writes to the return: the figures, what they cover, and the notes. Read when
    # the form is built, so that a figure added to the catalogue is a field with no other edit.
    EXTRA_FIELDS = ["coverage", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        figures = catalogue.figures(column=True)
        self.FIGURES = [f.name for f in figures]
        self.FIELDS = form_fields()
        generated = {f.name: figure_form_field(f) for f in figures}
        # The figures first, in catalogue order, then coverage, notes and the hidden fields.
        self.fields = {**generated, **{k: v for k, v in self.fields.items() if k not in generated}}
        self.groups = {f.name: f.group for f in figures}
        self.outliers: list[tuple[str, int, int]] = []

    @property
    def main_fields(self) -> list:
        """The fields of the page's first section: the money figures, coverage and notes."""
        return [*self.section(catalogue.G_MONEY), *(self[name] for name in self.EXTRA_FIELDS)]

    def section(self, group: str) -> list:
        """The bound fields of one catalogue group, in order."""
        return [self[name] for name in self.FIGURES if self.groups[name] == group]

    @property
    def sections(self) -> list[tuple[str, str, list]]:
        """(group, heading, bound fields) of each group of figures after the first (money), for the
        sections below the main one on the entry page."""
        return [
            (group, heading, self.section(group))
            for group, heading in list(catalogue.GROUPS.items())[1:]
            if self.section(group)
        ]

    def clean_coverage(self) -> str:
        return self.cleaned_data.get("coverage") or AnnualReturn.Coverage.OWN

    def figures(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}

    def show_outliers(self, outliers) -> None:
        """Ask for the confirmation the services want, naming each field with last year's and this year's value."""
        self.outliers = [(self.fields[o.field].label, o.previous, o.value) for o in outliers]


class FundRowForm(forms.Form):
    fund_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Tên quỹ"), max_length=200)
    kind = forms.ChoiceField(label=_("Loại"), choices=Fund.Kind.choices, initial=Fund.Kind.NAMED)
    balance = AmountField(label=_("Số dư cuối năm (đồng)"))


class ScholarshipRowForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    programme = forms.CharField(label=_("Chương trình học bổng"), max_length=200)
    donor = forms.CharField(label=_("Nhà tài trợ"), max_length=200, required=False)
    awards = AmountField(label=_("Số suất"), max_value=10_000_000, money=False)
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


class PostedRowsFormSet(forms.BaseFormSet):
    """Builds no more forms than rows were posted.

    TOTAL_FORMS is the client's word: forged to a billion, Django would still build, validate and
    show back 2,000 forms per formset (some 45 s for the entry page). The rows posted are bounded by
    DATA_UPLOAD_MAX_NUMBER_FIELDS.
    """

    def total_form_count(self) -> int:
        total = super().total_form_count()
        if not self.is_bound:
            return total
        start = f"{self.prefix}-"
        rows = {key[len(start) :].partition("-")[0] for key in self.data if key.startswith(start)}
        return min(total, sum(1 for row in rows if row.isascii() and row.isdigit()))


class UniqueRowsFormSet(PostedRowsFormSet):
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
            if not value:  # an added row left blank, which the formset skips
                continue
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
TransferFormSet = forms.formset_factory(TransferRowForm, formset=PostedRowsFormSet, extra=0, can_delete=True)


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


@dataclass(frozen=True)
class SummaryItem:
    """One refusal in the error summary; `target` is the id of the field to jump to, "" if none."""

    target: str
    label: str
    message: str


def error_summary(form: ReturnForm, sections: list[tuple[str, forms.BaseFormSet]]) -> list[SummaryItem]:
    """Every refusal on the entry page in page order, each linked to the field it is about.

    `sections` are (title, formset) pairs; a row's field is named "title, row n: label" so that the
    summary reads without the table's headers.
    """
    # The outlier refusal is answered by ticking the confirmation, so it links there.
    confirm = form["confirm_outliers"].id_for_label if form.outliers else ""
    items = [SummaryItem(confirm, "", message) for message in form.non_field_errors()]
    for field in form:
        items += [SummaryItem(field.id_for_label, str(field.label), message) for message in field.errors]
    for title, formset in sections:
        items += [SummaryItem(f"rows-{formset.prefix}", str(title), m) for m in formset.non_form_errors()]
        for number, row in enumerate(formset.forms, start=1):
            for field in row.visible_fields():
                label = _("%(title)s, dòng %(number)s: %(label)s") % {
                    "title": title,
                    "number": number,
                    "label": field.label,
                }
                items += [SummaryItem(field.id_for_label, label, message) for message in field.errors]
    return items
