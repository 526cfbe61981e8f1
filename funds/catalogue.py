"""The catalogue of figures: every figure a return holds or its totals derive, described once.

A figure is either a typed column of AnnualReturn (`column=True`: the model declares the column
with `figure_field()`, so its label and bounds come from here) or derived from other figures: a
sum of parts (cash plus in kind), a ratio over the node's population (per inhabitant, members as
% of population) or a share of a denominator (recognised learning families over households), with
the national targets it is measured against. The entry form, the import and export columns, the
outlier check, the totals, the rankings' metrics and the report tables read this list; adding a
figure is one entry here, one column in funds/models.py and one migration.

Labels are Vietnamese msgids, lower case as Django's verbose names are; their English is in
locale/en. Headers are the import/export files' column names, never translated (see
funds/spreadsheets/resources.py).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _

# No real figure comes near these: 1 triệu tỷ đồng, and twice Vietnam's population.
MAX_AMOUNT = 10**15
MAX_POPULATION = 200_000_000
# Counts of people, households, chapters...: none exceeds the population bound.
MAX_COUNT = MAX_POPULATION

# Units.
MONEY, PEOPLE, COUNT, PERCENT, PER_PERSON = "money", "people", "count", "percent", "per_person"
UNIT_LABELS = {MONEY: _("đồng"), PEOPLE: _("người"), COUNT: "", PERCENT: "%", PER_PERSON: _("đồng/người")}

# How a figure adds up over a subtree.
SUM = "sum"  # summed by the all-levels rule (a typed column, or the sum of its parts)
RATIO = "ratio"  # the ratio of sums over the node's population (per inhabitant)
SHARE = "share"  # the sum of a numerator over the sum of its denominator, paired return by return
PROGRESS = "progress"  # a share as a % of the national target for the year

# Groups, in the order the entry form shows them.
G_MONEY, G_ORGANISATION, G_TITLES, G_PAYOUTS = "money", "organisation", "titles", "payouts"
GROUPS = {
    G_MONEY: _("Tiền"),
    G_ORGANISATION: _("Tổ chức hội"),
    G_TITLES: _("Danh hiệu học tập"),
    G_PAYOUTS: _("Chi trả"),
}

QD_387 = "QĐ 387/QĐ-TTg"
QD_677 = "QĐ 677/QĐ-TTg"


@dataclass(frozen=True)
class Target:
    """A national target: `pct` % by the end of `year`, set by `decision`."""

    year: int
    pct: int
    decision: str


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    unit: str
    group: str
    adds_up: str = SUM
    # The typed column of AnnualReturn that holds it; False for a derived figure.
    column: bool = True
    # The column's header in import/export files (typed figures only).
    header: str = ""
    min_value: int = 0
    max_value: int = MAX_AMOUNT
    # A derived sum: the figures added up (None when none of them is given).
    parts: tuple[str, ...] = ()
    # A ratio, share or progress: what is divided by what (a progress's numerator is its share).
    numerator: str = ""
    denominator: str = ""
    targets: tuple[Target, ...] = ()
    # A share's count of those registered for the title, shown beside the recognised.
    registered: str = ""
    # Offered as a rankings metric.
    ranks: bool = False
    # Added after import files were in use: a file may leave its column out.
    optional: bool = False
    help_text: str = ""

    @property
    def form_label(self) -> str:
        """The label with its unit, as the entry form shows it: "Vận động bằng tiền (đồng)"."""
        unit = UNIT_LABELS[self.unit]
        if not unit or self.unit == PERCENT:
            return capfirst(self.label)
        return format_lazy("{} ({})", capfirst(self.label), unit)

    @property
    def is_share(self) -> bool:
        return self.adds_up == SHARE

    def target_for(self, year: int) -> Target | None:
        """The target a year is measured against: the first one due in or after it, else the last one."""
        if not self.targets:
            return None
        due = [t for t in self.targets if t.year >= year]
        return min(due, key=lambda t: t.year) if due else max(self.targets, key=lambda t: t.year)


def _money(name, label, header, **kw) -> Figure:
    return Figure(name, label, MONEY, kw.pop("group", G_MONEY), header=header, **kw)


def _count(name, label, header, group, unit=COUNT, **kw) -> Figure:
    return Figure(name, label, unit, group, header=header, max_value=MAX_COUNT, optional=True, **kw)


def _share(name, label, numerator, denominator, targets) -> Figure:
    registered = numerator.replace("_recognised", "_registered")
    return Figure(
        name,
        label,
        PERCENT,
        G_TITLES,
        adds_up=SHARE,
        column=False,
        numerator=numerator,
        denominator=denominator,
        targets=targets,
        registered=registered if registered != numerator else "",
        ranks=True,
    )


_base = (
    Figure(
        "population",
        _("dân số"),
        PEOPLE,
        G_MONEY,
        header="Dân số",
        min_value=1,
        max_value=MAX_POPULATION,
        help_text=_("Để trống nếu chưa có."),
    ),
    _money("mobilised_cash", _("vận động bằng tiền"), "Vận động bằng tiền"),
    _money("mobilised_in_kind", _("vận động bằng hiện vật, quy ra tiền"), "Vận động bằng hiện vật"),
    Figure(
        "mobilised",
        _("tổng vận động"),
        MONEY,
        G_MONEY,
        column=False,
        parts=("mobilised_cash", "mobilised_in_kind"),
        ranks=True,
    ),
    Figure(
        "per_inhabitant",
        _("bình quân đầu người"),
        PER_PERSON,
        G_MONEY,
        adds_up=RATIO,
        column=False,
        numerator="mobilised",
        denominator="population",
        ranks=True,
    ),
    _money("fund_balance", _("số dư quỹ khuyến học cuối năm"), "Số dư quỹ cuối năm", ranks=True),
    _money("facilities", _("nguồn lực xây dựng cơ sở vật chất trường học"), "Cơ sở vật chất", ranks=True),
    # Organisation.
    _count("members", _("số hội viên"), "Hội viên", G_ORGANISATION, unit=PEOPLE, ranks=True),
    _count("chapters", _("số chi hội"), "Chi hội", G_ORGANISATION, ranks=True),
    _count("boards", _("số ban khuyến học"), "Ban khuyến học", G_ORGANISATION, ranks=True),
    Figure(
        "members_share",
        _("hội viên trên dân số"),
        PERCENT,
        G_ORGANISATION,
        adds_up=RATIO,
        column=False,
        numerator="members",
        denominator="population",
        ranks=True,
    ),
    # The learning titles of QĐ 387/QĐ-TTg (2022) and the learning citizens of QĐ 677/QĐ-TTg (2022).
    _count(
        "learning_families_registered", _("gia đình học tập đăng ký"), "Gia đình học tập đăng ký", G_TITLES
    ),
    _count(
        "learning_families_recognised",
        _("gia đình học tập được công nhận"),
        "Gia đình học tập được công nhận",
        G_TITLES,
    ),
    _count("households", _("số hộ gia đình"), "Số hộ gia đình", G_TITLES),
    _share(
        "learning_families_share",
        _("tỷ lệ gia đình học tập"),
        "learning_families_recognised",
        "households",
        (Target(2025, 70, QD_387),),
    ),
    _count("learning_clans_registered", _("dòng họ học tập đăng ký"), "Dòng họ học tập đăng ký", G_TITLES),
    _count(
        "learning_clans_recognised",
        _("dòng họ học tập được công nhận"),
        "Dòng họ học tập được công nhận",
        G_TITLES,
    ),
    _count("clans", _("số dòng họ"), "Số dòng họ", G_TITLES),
    _share(
        "learning_clans_share",
        _("tỷ lệ dòng họ học tập"),
        "learning_clans_recognised",
        "clans",
        (Target(2025, 65, QD_387),),
    ),
    _count(
        "learning_communities_registered",
        _("cộng đồng học tập đăng ký"),
        "Cộng đồng học tập đăng ký",
        G_TITLES,
    ),
    _count(
        "learning_communities_recognised",
        _("cộng đồng học tập được công nhận"),
        "Cộng đồng học tập được công nhận",
        G_TITLES,
    ),
    _count("villages", _("số thôn, tổ dân phố"), "Số thôn, tổ dân phố", G_TITLES),
    _share(
        "learning_communities_share",
        _("tỷ lệ cộng đồng học tập"),
        "learning_communities_recognised",
        "villages",
        (Target(2025, 65, QD_387),),
    ),
    _count("learning_units_registered", _("đơn vị học tập đăng ký"), "Đơn vị học tập đăng ký", G_TITLES),
    _count(
        "learning_units_recognised",
        _("đơn vị học tập được công nhận"),
        "Đơn vị học tập được công nhận",
        G_TITLES,
    ),
    _count("organisations", _("số cơ quan, đơn vị, tổ chức"), "Số cơ quan, đơn vị", G_TITLES),
    _share(
        "learning_units_share",
        _("tỷ lệ đơn vị học tập"),
        "learning_units_recognised",
        "organisations",
        (Target(2025, 80, QD_387),),
    ),
    _count(
        "learning_citizens",
        _("công dân học tập được công nhận"),
        "Công dân học tập",
        G_TITLES,
        unit=PEOPLE,
    ),
    _count("adults", _("số người lớn"), "Số người lớn", G_TITLES, unit=PEOPLE),
    _share(
        "learning_citizens_share",
        _("tỷ lệ công dân học tập trong người lớn"),
        "learning_citizens",
        "adults",
        (Target(2025, 40, QD_677), Target(2030, 60, QD_677)),
    ),
    _count(
        "learning_staff",
        _("cán bộ, công chức, viên chức là công dân học tập"),
        "Công chức là công dân học tập",
        G_TITLES,
        unit=PEOPLE,
    ),
    _count(
        "public_staff",
        _("số cán bộ, công chức, viên chức"),
        "Số cán bộ, công chức, viên chức",
        G_TITLES,
        unit=PEOPLE,
    ),
    _share(
        "learning_staff_share",
        _("tỷ lệ công dân học tập trong cán bộ, công chức, viên chức"),
        "learning_staff",
        "public_staff",
        (Target(2025, 60, QD_677), Target(2030, 80, QD_677)),
    ),
    # Pay-outs: the split, and the single amount returns gave before it ("chưa tách").
    _money("payout_scholarships", _("chi học bổng"), "Chi học bổng", group=G_PAYOUTS, optional=True),
    _count(
        "payout_scholarships_recipients",
        _("số người nhận học bổng"),
        "Số người nhận học bổng",
        G_PAYOUTS,
        unit=PEOPLE,
    ),
    _money("payout_support", _("chi hỗ trợ"), "Chi hỗ trợ", group=G_PAYOUTS, optional=True),
    _count(
        "payout_support_recipients", _("số người được hỗ trợ"), "Số người được hỗ trợ", G_PAYOUTS, unit=PEOPLE
    ),
    _money("payout_awards", _("chi khen thưởng"), "Chi khen thưởng", group=G_PAYOUTS, optional=True),
    _count(
        "payout_awards_recipients",
        _("số người được khen thưởng"),
        "Số người được khen thưởng",
        G_PAYOUTS,
        unit=PEOPLE,
    ),
    _money(
        "awards_paid",
        _("khen thưởng, hỗ trợ đã chi (chưa tách)"),
        "Khen thưởng, hỗ trợ đã chi",
        group=G_PAYOUTS,
        help_text=_("Chỉ ghi khi không tách được thành học bổng, hỗ trợ và khen thưởng."),
    ),
    Figure(
        "payouts",
        _("tổng chi học bổng, hỗ trợ, khen thưởng"),
        MONEY,
        G_PAYOUTS,
        column=False,
        # A return holds either the split or the "chưa tách" amount (payout_errors), never both: the
        # sum of all four is the split's sum where it is given, else that amount.
        parts=("payout_scholarships", "payout_support", "payout_awards", "awards_paid"),
        ranks=True,
    ),
)

PAYOUT_SPLIT = ("payout_scholarships", "payout_support", "payout_awards")
PAYOUT_UNSPLIT = "awards_paid"


def _progress(share: Figure) -> Figure:
    return Figure(
        f"{share.name}_progress",
        format_lazy(_("{figure} so với mục tiêu"), figure=share.label),
        PERCENT,
        share.group,
        adds_up=PROGRESS,
        column=False,
        numerator=share.name,
        targets=share.targets,
        ranks=True,
    )


FIGURES: tuple[Figure, ...] = _base + tuple(_progress(f) for f in _base if f.is_share and f.targets)


def figures(
    *,
    group: str | None = None,
    column: bool | None = None,
    ranks: bool | None = None,
    unit: str | None = None,
) -> list[Figure]:
    """The catalogue's figures, in order, filtered by group, by being a typed column, by ranking, by unit."""
    return [
        f
        for f in FIGURES
        if (group is None or f.group == group)
        and (column is None or f.column == column)
        and (ranks is None or f.ranks == ranks)
        and (unit is None or f.unit == unit)
    ]


def get(name: str) -> Figure:
    """The figure called `name`; KeyError for an unknown one."""
    for f in FIGURES:
        if f.name == name:
            return f
    raise KeyError(name)


def names(**filters) -> list[str]:
    return [f.name for f in figures(**filters)]


def columns() -> list[str]:
    """The typed columns of AnnualReturn that hold figures, in catalogue order."""
    return names(column=True)


def summed() -> list[str]:
    """The typed columns a subtree's total adds up by the all-levels rule (all but the population)."""
    return [f.name for f in figures(column=True) if f.adds_up == SUM and f.name != "population"]


def shares() -> list[Figure]:
    """The figures that are a share of a denominator, summed in pairs (see paired())."""
    return [f for f in FIGURES if f.is_share]


def paired() -> list[tuple[str, str, str]]:
    """(alias, column summed, column that must be given too) for the two sums of each share.

    A share adds up only the returns that give both its numerator and its denominator, so that a
    return with recognised families but no households does not push the share over 100 %.
    """
    out = []
    for f in shares():
        out.append((f"{f.name}__num", f.numerator, f.denominator))
        out.append((f"{f.name}__den", f.denominator, f.numerator))
    return out


def beyond_money() -> list[str]:
    """The typed figures of organisation and learning titles: a return "lacks" them when it gives none."""
    return [f.name for f in FIGURES if f.column and f.group in (G_ORGANISATION, G_TITLES)]


def percent_of(numerator: int | None, denominator: int | None, scale: int = 100) -> Decimal | None:
    """numerator ÷ denominator × scale, to one decimal place, half up; None without a denominator."""
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) * scale / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def progress(numerator: int | None, denominator: int | None, target: Target | None) -> Decimal | None:
    """A share as a % of its target, from the sums themselves so that it is rounded once (35 of 100
    against 70 % is 50 %)."""
    if numerator is None or not denominator or target is None:
        return None
    return percent_of(numerator * 100, denominator * target.pct)


# --- the typed columns --------------------------------------------------------------------------


def _bound_messages(figure: Figure) -> tuple[str, str]:
    if figure.unit == MONEY:
        return "", _("Số tiền vượt quá giới hạn hợp lý (1 triệu tỷ đồng).")
    if figure.name == "population":
        return (
            _("Dân số phải ít nhất là 1 người (để trống nếu chưa có)."),
            _("Dân số vượt quá giới hạn hợp lý (200 triệu người)."),
        )
    return "", _("Số liệu vượt quá giới hạn hợp lý (200 triệu).")


def figure_field(name: str) -> models.Field:
    """The model field of the typed figure `name`: nullable (blank is "not reported"), bounded."""
    figure = get(name)
    too_small, too_big = _bound_messages(figure)
    validators = [MaxValueValidator(figure.max_value, too_big)]
    if figure.min_value:
        validators.insert(0, MinValueValidator(figure.min_value, too_small))
    field_class = models.PositiveBigIntegerField if figure.unit == MONEY else models.PositiveIntegerField
    return field_class(figure.label, null=True, blank=True, validators=validators)


def bounds_q(figure: Figure) -> models.Q:
    """The database check of a typed figure's bounds."""
    q = models.Q(**{f"{figure.name}__lte": figure.max_value})
    if figure.min_value:
        q &= models.Q(**{f"{figure.name}__gte": figure.min_value})
    return q | models.Q(**{f"{figure.name}__isnull": True})


def consistency_errors(values: dict) -> dict[str, str]:
    """{figure: message} for figures of one return that contradict each other; {} when none do.

    `values` holds the return's typed figures (as stored after the change). Called by
    AnnualReturn.clean() (the services' full_clean) and by the import, which writes in bulk.
    """
    errors = {}
    if values.get(PAYOUT_UNSPLIT) is not None and any(values.get(n) is not None for n in PAYOUT_SPLIT):
        errors[PAYOUT_UNSPLIT] = _(
            "Đã tách chi trả thành học bổng, hỗ trợ, khen thưởng thì để trống ô “khen thưởng, hỗ trợ đã chi "
            "(chưa tách)”; nếu không tách được thì chỉ ghi ô đó."
        )
    for share in shares():
        part, whole = values.get(share.numerator), values.get(share.denominator)
        if part is not None and whole is not None and part > whole:
            errors[share.numerator] = _("“%(part)s” không thể lớn hơn “%(whole)s”.") % {
                "part": capfirst(get(share.numerator).label),
                "whole": get(share.denominator).label,
            }
    return errors
