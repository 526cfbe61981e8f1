from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from associations.access import ScopedQuerySet, perm_ranges_q
from associations.models import Association, Perm, subtree_q
from core.years import MAX_YEAR, MIN_YEAR

from . import catalogue
from .catalogue import MAX_AMOUNT, MAX_POPULATION, figure_field


def amount_field(verbose_name, **kwargs):
    """Whole đồng, non-negative, bounded in forms and in the database."""
    return models.PositiveBigIntegerField(
        verbose_name,
        validators=[MaxValueValidator(MAX_AMOUNT, _("Số tiền vượt quá giới hạn hợp lý (1 triệu tỷ đồng)."))],
        **kwargs,
    )


def year_field():
    return models.PositiveSmallIntegerField(
        _("năm"), validators=[MinValueValidator(MIN_YEAR), MaxValueValidator(MAX_YEAR)]
    )


def amount_checks(prefix: str, fields: list[str]) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            name=f"{prefix}_{f}_bounded",
            condition=Q(**{f"{f}__lte": MAX_AMOUNT}) | Q(**{f"{f}__isnull": True}),
        )
        for f in fields
    ]


def mobilised_total(cash: int | None, in_kind: int | None) -> int | None:
    """Cash plus in kind; None when neither was reported (blank means not reported, not zero)."""
    if cash is None and in_kind is None:
        return None
    return (cash or 0) + (in_kind or 0)


class LockedError(ValidationError):
    """A write to figures of an approved return (raised by funds.services, the one write path)."""


def ensure_fund_identity_unlocked(fund: "Fund", *, name: str, kind: str) -> None:
    """Refuse renaming a stored fund, changing its kind or its association, once a year in which it has a
    balance is approved: funds are not per year, so the approved year's report would change with it.
    """
    if fund.pk is None:
        return
    stored = Fund.objects.filter(pk=fund.pk).values_list("association_id", "name", "kind").first()
    if stored is None or stored == (fund.association_id, name, kind):
        return
    approved_years = AnnualReturn.objects.filter(
        association_id=stored[0], status=AnnualReturn.Status.APPROVED
    ).values("year")
    year = (
        FundBalance.objects.filter(fund_id=fund.pk, year__in=approved_years)
        .order_by("year")
        .values_list("year", flat=True)
        .first()
    )
    if year is not None:
        raise LockedError(
            _(
                "Quỹ “%(name)s” đã có số dư trong năm %(year)s đã duyệt nên không đổi tên, loại hay hội "
                "được; hãy thêm quỹ mới với tên mới (hoặc đề nghị cán bộ duyệt mở lại báo cáo năm đó)."
            )
            % {"name": stored[1], "year": year}
        )


class Qualifier(models.TextChoices):
    """How the source stated a figure: "trên 2,2 tỷ" is a lower bound, not 2,2 tỷ exactly."""

    OVER = "tren", _("trên")
    MORE_THAN = "hon", _("hơn")
    NEARLY = "gan", _("gần")
    ABOUT = "khoang", _("khoảng")


# The typed figures of a return, from the catalogue: population, then what adds up.
FIGURE_FIELDS = catalogue.columns()
RETURN_AMOUNT_FIELDS = [name for name in FIGURE_FIELDS if catalogue.get(name).unit == catalogue.MONEY]


class AnnualReturnQuerySet(ScopedQuerySet):
    def for_year(self, year: int):
        """Returns of one year."""
        return self.filter(year=year)

    def in_subtree_of(self, node: Association):
        """Returns of the node and every association below it."""
        return self.filter(subtree_q(node, prefix="association__"))

    def in_review_scope_of(self, user):
        """Returns, in any state, on which the user holds the review right (reads the user's roles first)."""
        return self.filter(perm_ranges_q(user, Perm.REVIEW, prefix="association__"))

    def reviewable_by(self, user):
        """Submitted returns on which the user holds the review right."""
        return self.in_review_scope_of(user).filter(status=AnnualReturn.Status.SUBMITTED)


class FundBalanceQuerySet(ScopedQuerySet):
    """Balances belong to their fund's association."""

    scope = "fund__association"


class TransferQuerySet(ScopedQuerySet):
    """Transfers belong to the recipient, whose return they count in."""

    scope = "recipient"


class AnnualReturn(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Nháp")
        SUBMITTED = "submitted", _("Đã gửi")
        APPROVED = "approved", _("Đã duyệt")

    class Coverage(models.TextChoices):
        """What the figures cover (DESIGN.md "What a return covers")."""

        OWN = "own", _("Riêng cấp hội này")
        ALL = "all", _("Toàn bộ các cấp trực thuộc")

    AMOUNT_FIELDS = RETURN_AMOUNT_FIELDS
    FIGURE_FIELDS = FIGURE_FIELDS

    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="returns", verbose_name=_("hội")
    )
    year = year_field()
    # The figures, each described in funds/catalogue.py (label, unit, bounds), in its order.
    population = figure_field("population")
    mobilised_cash = figure_field("mobilised_cash")
    mobilised_in_kind = figure_field("mobilised_in_kind")
    fund_balance = figure_field("fund_balance")
    facilities = figure_field("facilities")
    members = figure_field("members")
    chapters = figure_field("chapters")
    boards = figure_field("boards")
    learning_families_registered = figure_field("learning_families_registered")
    learning_families_recognised = figure_field("learning_families_recognised")
    households = figure_field("households")
    learning_clans_registered = figure_field("learning_clans_registered")
    learning_clans_recognised = figure_field("learning_clans_recognised")
    clans = figure_field("clans")
    learning_communities_registered = figure_field("learning_communities_registered")
    learning_communities_recognised = figure_field("learning_communities_recognised")
    villages = figure_field("villages")
    learning_units_registered = figure_field("learning_units_registered")
    learning_units_recognised = figure_field("learning_units_recognised")
    organisations = figure_field("organisations")
    learning_citizens = figure_field("learning_citizens")
    adults = figure_field("adults")
    learning_staff = figure_field("learning_staff")
    public_staff = figure_field("public_staff")
    payout_scholarships = figure_field("payout_scholarships")
    payout_scholarships_recipients = figure_field("payout_scholarships_recipients")
    payout_support = figure_field("payout_support")
    payout_support_recipients = figure_field("payout_support_recipients")
    payout_awards = figure_field("payout_awards")
    payout_awards_recipients = figure_field("payout_awards_recipients")
    # Awards and support paid as one amount, where the return does not split it ("chưa tách").
    awards_paid = figure_field("awards_paid")
    # An all-levels return ("toàn tỉnh") already counts everything below it: a node's total is its
    # all-levels return where it has one, else its own return plus its children's totals.
    coverage = models.CharField(
        _("phạm vi số liệu"), max_length=3, choices=Coverage.choices, default=Coverage.OWN
    )
    notes = models.TextField(_("ghi chú"), blank=True)
    # {figure field: Qualifier}: the word the association put before a figure, kept for the report.
    qualifiers = models.JSONField(_("cách nêu số liệu"), default=dict, blank=True)

    status = models.CharField(_("trạng thái"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # Why a reviewer last reopened the return or sent it back; shown to the officer, kept in the history.
    reopen_reason = models.TextField(_("lý do mở lại / trả lại"), blank=True)
    # Bumped by every save of the return or of anything attached to it; a stale version is a conflict.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = AnnualReturnQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo năm")
        verbose_name_plural = _("báo cáo năm")
        ordering = ["association__sort_key", "year"]
        # Every totals query reads one year (or two) of returns across many associations: an index that
        # leads with the year lets it read that year alone, not every year's returns of the country.
        # The all-levels returns are few; every totals query looks them up by year first (funds/sql.py covers).
        indexes = [
            models.Index(fields=["year", "association"], name="return_year_association"),
            models.Index(fields=["year"], condition=Q(coverage="all"), name="return_all_levels_year"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["association", "year"], name="return_one_per_association_year"),
            models.CheckConstraint(
                name="return_population_range",
                condition=Q(population__isnull=True) | Q(population__gte=1, population__lte=MAX_POPULATION),
            ),
            *[
                models.CheckConstraint(name=f"return_{f.name}_bounded", condition=catalogue.bounds_q(f))
                for f in catalogue.figures(column=True)
                if f.name != "population"
            ],
            models.CheckConstraint(
                name="return_payouts_split_or_not",
                condition=Q(**{f"{catalogue.PAYOUT_UNSPLIT}__isnull": True})
                | Q(**{f"{name}__isnull": True for name in catalogue.PAYOUT_SPLIT}),
            ),
            *[
                models.CheckConstraint(
                    name=f"return_{share.name}_within",
                    condition=Q(**{f"{share.numerator}__isnull": True})
                    | Q(**{f"{share.denominator}__isnull": True})
                    | Q(**{f"{share.numerator}__lte": models.F(share.denominator)}),
                )
                for share in catalogue.shares()
            ],
            models.CheckConstraint(
                name="return_status_valid", condition=Q(status__in=["draft", "submitted", "approved"])
            ),
            models.CheckConstraint(name="return_coverage_valid", condition=Q(coverage__in=["own", "all"])),
        ]

    def __str__(self) -> str:
        return f"{self.association.short_name} {self.year}"

    def clean(self) -> None:
        if not isinstance(self.qualifiers, dict) or any(
            field not in RETURN_AMOUNT_FIELDS or word not in Qualifier.values
            for field, word in self.qualifiers.items()
        ):
            raise ValidationError({"qualifiers": _("Cách nêu số liệu không hợp lệ.")})
        if errors := catalogue.consistency_errors({n: getattr(self, n) for n in FIGURE_FIELDS}):
            raise ValidationError(errors)

    @property
    def mobilised_total(self) -> int | None:
        return mobilised_total(self.mobilised_cash, self.mobilised_in_kind)

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED


class Fund(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", _("Quỹ khuyến học chung")
        NAMED = "named", _("Quỹ mang tên")
        SCHOLARSHIP = "scholarship", _("Quỹ học bổng")
        CLAN = "clan", _("Quỹ dòng họ")

    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="funds")
    name = models.CharField(_("tên quỹ"), max_length=200)
    kind = models.CharField(_("loại quỹ"), max_length=12, choices=Kind.choices, default=Kind.NAMED)
    notes = models.TextField(_("ghi chú"), blank=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quỹ")
        verbose_name_plural = _("quỹ")
        ordering = ["association__sort_key", "name"]
        constraints = [
            models.UniqueConstraint(fields=["association", "name"], name="fund_unique_name"),
            models.CheckConstraint(
                name="fund_kind_valid", condition=Q(kind__in=["general", "named", "scholarship", "clan"])
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # Both the admin's form and the services' full_clean() come here; the import asks it itself.
        if self.association_id:
            ensure_fund_identity_unlocked(self, name=self.name, kind=self.kind)


class FundBalance(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="balances")
    year = year_field()
    balance = amount_field(_("số dư cuối năm"), null=True, blank=True)
    qualifier = models.CharField(_("cách nêu số dư"), max_length=10, choices=Qualifier.choices, blank=True)

    history = HistoricalRecords()
    objects = FundBalanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("số dư quỹ")
        verbose_name_plural = _("số dư quỹ")
        # The cluster report reads one year's balances of a subtree (see AnnualReturn).
        indexes = [models.Index(fields=["year", "fund"], name="fund_balance_year_fund")]
        constraints = [
            models.UniqueConstraint(fields=["fund", "year"], name="fund_balance_one_per_year"),
            models.CheckConstraint(
                name="fund_balance_qualifier_valid", condition=Q(qualifier__in=["", *Qualifier.values])
            ),
            *amount_checks("fund_balance", ["balance"]),
        ]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.year}"


class Scholarship(models.Model):
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="scholarships")
    year = year_field()
    programme = models.CharField(_("chương trình học bổng"), max_length=200)
    donor = models.CharField(_("nhà tài trợ"), max_length=200, blank=True)
    awards = models.PositiveIntegerField(
        _("số suất"), null=True, blank=True, validators=[MaxValueValidator(10_000_000)]
    )
    total_value = amount_field(_("tổng giá trị"), null=True, blank=True)
    in_kind = models.BooleanField(_("bằng hiện vật"), default=False)
    abroad = models.BooleanField(_("ở nước ngoài"), default=False)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("học bổng")
        verbose_name_plural = _("học bổng")
        ordering = ["association__sort_key", "year", "programme"]
        # The totals and the cluster report read one year's scholarships of a subtree (see AnnualReturn).
        indexes = [models.Index(fields=["year", "association"], name="scholarship_year_association")]
        constraints = [
            models.UniqueConstraint(fields=["association", "year", "programme"], name="scholarship_unique"),
            *amount_checks("scholarship", ["total_value"]),
        ]

    def __str__(self) -> str:
        return self.programme


class Transfer(models.Model):
    """Money given to an association by another association or a named outside giver."""

    year = year_field()
    date = models.DateField(_("ngày"), null=True, blank=True)
    giver = models.ForeignKey(
        Association,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_given",
        verbose_name=_("hội trao"),
    )
    giver_name = models.CharField(_("người/tổ chức trao"), max_length=200, blank=True)
    recipient = models.ForeignKey(
        Association, on_delete=models.PROTECT, related_name="transfers_received", verbose_name=_("hội nhận")
    )
    amount = amount_field(_("số tiền"), null=True, blank=True, help_text=_("Để trống nếu không công bố."))
    purpose = models.CharField(_("mục đích"), max_length=300)

    history = HistoricalRecords()
    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("khoản trao tặng")
        verbose_name_plural = _("khoản trao tặng")
        ordering = ["year", "date", "pk"]
        # The cluster report reads one year's transfers received in a subtree (see AnnualReturn).
        indexes = [models.Index(fields=["year", "recipient"], name="transfer_year_recipient")]
        constraints = [
            models.CheckConstraint(
                name="transfer_has_giver", condition=Q(giver__isnull=False) | ~Q(giver_name="")
            ),
            *amount_checks("transfer", ["amount"]),
        ]

    def __str__(self) -> str:
        return f"{self.giver_label} → {self.recipient.short_name}"

    @property
    def giver_label(self) -> str:
        return self.giver.name if self.giver_id else self.giver_name

    def clean(self) -> None:
        if not self.giver_id and not self.giver_name.strip():
            raise ValidationError({"giver_name": _("Cần ghi rõ hội hoặc người/tổ chức trao.")})
        if self.date and self.year and self.date.year != self.year:
            raise ValidationError({"date": _("Ngày trao phải thuộc năm %(year)s.") % {"year": self.year}})


# The background jobs' models live in job_models.py; imported here, where Django looks for them.
from .job_models import FileJob, ImportJob, JobStatus  # noqa: E402, F401
