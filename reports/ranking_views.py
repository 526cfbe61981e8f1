from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from associations.access import get_association_for_user, get_open_totals_node, open_totals
from associations.models import Association, Perm, Tier
from core.numbers import money_short, parse_id, percent
from core.years import MAX_YEAR, MIN_YEAR, year_choices
from funds import catalogue
from funds.forms import parse_seen
from funds.views import report_bulk_approval
from funds.workflow import annual_returns_approve_many
from funds.years import selected_year

from . import rankings
from .charts import bar_chart, column_chart
from .completeness import completeness as completeness_rows
from .completeness import submitted_return_ids, submitted_versions
from .exports import EXPORTERS, export_name, ranking_table, ranking_target
from .rankings import Metric, Scope, ScopeKind
from .trends import trend

TREND_YEARS = 12


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
    year = selected_year(request)
    metric = request.GET.get("chi_so", Metric.PER_INHABITANT)
    if metric not in Metric.values():
        metric = Metric.PER_INHABITANT
    return rankings.ranking(year=year, scope=_scope(request), metric=metric)


@login_required
def ranking_page(request):
    ranking = _ranking(request)
    table = ranking_table(ranking, sort=request.GET.get("sap_xep", ""))
    chart = bar_chart([(f"{row.rank}. {row.association.short_name}", row.value) for row in ranking.ranked])
    year = ranking.year
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
            "year": year,
            "years": year_choices(),
            "metrics": Metric.choices(),
            "clusters": open_totals(request.user).active_in(year).of_tier(Tier.CLUSTER).order_by("code"),
            "provinces": Association.objects.visible_to(request.user)
            .active_in(year)
            .of_tier(Tier.PROVINCE)
            .order_by("sort_key"),
            "query": request.GET.urlencode(),
            "unsorted_query": unsorted.urlencode(),
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
    # The returns each approve button stands for, at the versions shown: only those are approved.
    listed = submitted_versions(
        year=year, provinces=[r.province for r in rows if r.province.pk in reviewable]
    )
    for row in rows:
        row.seen = ",".join(f"{pk}:{version}" for pk, version in listed.get(row.province.pk, []))
    return render(
        request,
        "reports/completeness.html",
        {
            "rows": rows,
            "reviewable": reviewable,
            "year": year,
            "years": year_choices(),
            "totals": {
                name: sum(getattr(row, name) for row in rows)
                for name in ["associations", "returns", "submitted", "approved", "missing", "lacking_society"]
            },
        },
    )


@login_required
@require_POST
def completeness_approve(request, pk: int):
    province = get_association_for_user(request.user, pk, perm=Perm.REVIEW, tier=Tier.PROVINCE)
    try:
        year = int(request.POST.get("nam", ""))
    except ValueError:
        raise Http404 from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
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
def province_trends(request, pk: int):
    province = get_open_totals_node(request.user, pk, tier=Tier.PROVINCE)
    last_year = selected_year(request, default=timezone.localdate().year)
    points = trend(node=province, first_year=last_year - TREND_YEARS + 1, last_year=last_year)
    return render(
        request,
        "reports/trends.html",
        {
            "province": province,
            "points": points,
            "charts": [
                (
                    _("Bình quân đầu người (đồng/người)"),
                    column_chart([(p.year, p.per_inhabitant) for p in points]),
                ),
                (_("Tổng vận động"), column_chart([(p.year, p.mobilised) for p in points], text=money_short)),
                *_share_charts(points),
            ],
            "year": last_year,
            "years": year_choices(),
        },
    )
