from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import capfirst, format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from associations.access import get_association_for_user, get_open_totals_node, open_totals
from associations.models import Association, Perm, Tier
from associations.spans import not_active_message, related_in
from core.numbers import money_short, parse_id, percent
from core.years import parse_year, selected_year, year_choices
from funds import catalogue
from funds.forms import parse_seen
from funds.views import report_bulk_approval
from funds.workflow import annual_returns_approve_many

from . import cached, rankings
from .charts import bar_chart, column_chart
from .completeness import (
    Completeness,
    Unsent,
    by_cluster,
    officers_of,
    submitted_in_province,
    submitted_return_ids,
    unsent,
)
from .completeness import completeness as completeness_rows
from .derivations import derivation_note
from .exports import EXPORTERS, export_name, ranking_table, ranking_target
from .rankings import Metric, Scope, ScopeKind
from .trends import trend

TREND_YEARS = 12
UNSENT_PAGE_SIZE = 50
# A province's approval confirmation names this many returns, then says how many more.
CONFIRM_LISTED = 50


def _scope(request) -> Scope:
    """The scope of ?pham_vi=: provinces and clusters are open to all, the inside of a province is not."""
    value = request.GET.get("pham_vi", ScopeKind.PROVINCES)
    if value in (ScopeKind.PROVINCES, ScopeKind.CLUSTERS):
        return Scope(value)
    kind, _sep, text = value.partition("-")
    pk = parse_id(text)
    if pk is None:
        raise Http404
    if kind == "cum":
        return Scope(ScopeKind.CLUSTER, get_open_totals_node(request.user, pk, tier=Tier.CLUSTER))
    if kind == "tinh":
        return Scope(ScopeKind.PROVINCE, get_association_for_user(request.user, pk, tier=Tier.PROVINCE))
    raise Http404


def _ranking(request) -> rankings.Ranking:
    return _ranking_keyed(request)[0]


def _ranking_keyed(request) -> tuple[rankings.Ranking, str]:
    year = selected_year(request)
    metric = request.GET.get("chi_so", Metric.PER_INHABITANT)
    if metric not in Metric.values():
        metric = Metric.PER_INHABITANT
    return cached.ranking_keyed(year=year, scope=_scope(request), metric=metric)


@login_required
def ranking_page(request):
    ranking, key = _ranking_keyed(request)
    table = ranking_table(ranking, sort=request.GET.get("sap_xep", ""))
    chart = bar_chart([(f"{row.rank}. {row.association.short_name}", row.value) for row in ranking.ranked])
    year = ranking.year
    node = ranking.scope.node
    not_active = None
    if node is not None and not node.is_active_in(year):
        # A cluster or province of another year's tree: say why the table is empty, and who stands for it.
        not_active = not_active_message(node, year, who=node.name, related=related_in(node, year))
    unsorted = request.GET.copy()
    unsorted.pop("sap_xep", None)
    return render(
        request,
        "reports/rankings.html",
        {
            "ranking": ranking,
            "table": table,
            "chart": chart,
            "metric_label": Metric.label(ranking.metric),
            "target": ranking_target(ranking),
            "value_kind": next(c.kind for c in table.columns if c.key == ranking.metric),
            "has_derived": any(c.key == "note" for c in table.columns),
            "year": year,
            "years": year_choices(),
            "not_active": not_active,
            "metrics": Metric.choices(),
            "clusters": open_totals(request.user).active_in(year).of_tier(Tier.CLUSTER).order_by("code"),
            "provinces": Association.objects.visible_to(request.user)
            .active_in(year)
            .of_tier(Tier.PROVINCE)
            .order_by("sort_key"),
            "query": request.GET.urlencode(),
            "unsorted_query": unsorted.urlencode(),
            # The rendered table and chart are the same for everyone who asks for them in a language.
            "table_key": "|".join([key, table.sort, request.GET.urlencode(), get_language()]),
        },
    )


@login_required
def ranking_export(request, fmt: str):
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise Http404
    ranking = _ranking(request)
    table = ranking_table(ranking, sort=request.GET.get("sap_xep", ""))
    filename, content_type, content = exporter(table, name=export_name(ranking))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def completeness(request):
    year = selected_year(request)
    visible = Association.objects.visible_to(request.user)
    rows = completeness_rows(year=year, provinces=visible)
    reviewable = set(
        Association.objects.with_perm(request.user, Perm.REVIEW)
        .filter(pk__in=[row.province.pk for row in rows])
        .values_list("pk", flat=True)
    )
    total = sum(rows, Completeness(province=None))
    return render(
        request,
        "reports/completeness.html",
        {
            "clusters": by_cluster(rows),
            "rows": rows,
            "reviewable": reviewable,
            "year": year,
            "years": year_choices(),
            "totals": total,
        },
    )


def _posted_year(request) -> int:
    """The year an approval names; 404 when it names none (the button always does)."""
    year = parse_year(request.POST.get("nam") if request.method == "POST" else request.GET.get("nam"))
    if year is None:
        raise Http404
    return year


@login_required
def completeness_approve(request, pk: int):
    """A province's submitted returns: GET lists what will be approved, POST approves those listed."""
    province = get_association_for_user(request.user, pk, perm=Perm.REVIEW, tier=Tier.PROVINCE)
    year = _posted_year(request)
    if request.method != "POST":
        returns = list(submitted_in_province(year=year, province=province))
        return render(
            request,
            "reports/completeness_confirm.html",
            {
                "province": province,
                "year": year,
                "returns": returns[:CONFIRM_LISTED],
                "more": max(len(returns) - CONFIRM_LISTED, 0),
                "count": len(returns),
                "seen": ",".join(f"{r.pk}:{r.version}" for r in returns),
            },
        )
    # Ids from elsewhere than this province's subtree are dropped, as if never posted.
    ids = set(submitted_return_ids(year=year, province=province))
    seen = {pk: v for pk, v in parse_seen(request.POST.getlist("seen")).items() if pk in ids}
    result = annual_returns_approve_many(user=request.user, seen=seen)
    done = _("Đã duyệt %(count)s báo cáo năm %(year)s của %(name)s.") % {
        "count": result.approved,
        "year": year,
        "name": province.short_name,
    }
    report_bulk_approval(request, result, seen, done)
    if not result.approved and not result.changed:
        messages.warning(request, _("Không có báo cáo nào đang chờ duyệt."))
    return redirect(reverse("completeness") + f"?nam={year}")


def _share_charts(points) -> list[tuple[str, object]]:
    """A chart per catalogue share (members as % of population, each title's share) that some year gives."""
    charts = []
    for figure in catalogue.figures(unit=catalogue.PERCENT):
        if figure.adds_up == catalogue.PROGRESS:
            continue
        values = [(p.year, getattr(p, figure.name)) for p in points]
        if any(v is not None for _y, v in values):
            charts.append(
                (format_lazy("{} (%)", capfirst(figure.label)), column_chart(values, text=_share_text))
            )
    return charts


def _share_text(value) -> str:
    return percent(value).removeprefix("+")


@login_required
@require_GET
def completeness_unsent(request, pk: int):
    """The associations of a province that have not sent their return in, with their officers."""
    province = get_association_for_user(request.user, pk, tier=Tier.PROVINCE)
    year = selected_year(request, province)
    which = request.GET.get("loai", Unsent.EITHER)
    if which not in (Unsent.MISSING, Unsent.DRAFT):
        which = Unsent.EITHER
    page = Paginator(unsent(year=year, province=province, which=which), UNSENT_PAGE_SIZE).get_page(
        request.GET.get("trang")
    )
    nodes = list(page.object_list)
    officers = officers_of(nodes=nodes, province=province)
    return render(
        request,
        "reports/completeness_unsent.html",
        {
            "province": province,
            "year": year,
            "years": year_choices(province),
            "which": which,
            "kinds": [
                (Unsent.EITHER, _("Chưa gửi (chưa có hoặc nháp)")),
                (Unsent.MISSING, _("Chưa có báo cáo")),
                (Unsent.DRAFT, _("Còn là bản nháp")),
            ],
            "page": page,
            "rows": [(node, officers[node.pk]) for node in nodes],
            "query": urlencode({"nam": year, "loai": which} if which else {"nam": year}),
        },
    )


@login_required
def province_trends(request, pk: int):
    province = get_open_totals_node(request.user, pk, tier=Tier.PROVINCE)
    last_year = selected_year(request, province)
    points = trend(node=province, first_year=last_year - TREND_YEARS + 1, last_year=last_year)
    derived = frozenset(p.year for p in points if p.derived)
    return render(
        request,
        "reports/trends.html",
        {
            "province": province,
            "points": points,
            "rows": [(p, derivation_note(p.derived, p.year)) for p in points],
            "charts": [
                (
                    _("Bình quân đầu người (đồng/người)"),
                    column_chart([(p.year, p.per_inhabitant) for p in points], derived=derived),
                ),
                (
                    _("Tổng vận động"),
                    column_chart([(p.year, p.mobilised) for p in points], text=money_short, derived=derived),
                ),
                *_share_charts(points),
            ],
            "year": last_year,
            "years": year_choices(province),
        },
    )
