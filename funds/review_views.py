"""The review queue of the whole country: filters, paging, approve selected or all in the filter."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from associations.access import holds_perm_anywhere
from associations.models import Perm, Tier
from core.years import selected_year, year_choices

from . import review, workflow
from .forms import parse_seen
from .models import AnnualReturn
from .views import report_bulk_approval

REVIEW_PAGE_SIZE = 50
# The approve-all confirmation names this many returns, then says how many more.
CONFIRM_LISTED = 50


def _ensure_reviewer(request) -> None:
    if not holds_perm_anywhere(request.user, Perm.REVIEW):
        raise PermissionDenied


def _review_filter(request) -> tuple[review.ReviewFilter, list]:
    """The queue's filter from the query string, and the clusters and provinces it may name."""
    year = selected_year(request)
    options = review.filter_options(user=request.user, year=year)
    return review.read_filter(request.GET, year=year, options=options), options


@login_required
def review_list(request):
    _ensure_reviewer(request)
    if request.method == "POST":
        seen = parse_seen(request.POST.getlist("returns"))
        result = workflow.annual_returns_approve_many(user=request.user, seen=seen)
        done = _("Đã duyệt %(count)s báo cáo.") % {"count": result.approved}
        report_bulk_approval(request, result, seen, done)
        if not result.approved and not result.changed:
            messages.warning(request, _("Chưa chọn báo cáo nào để duyệt."))
        # Back to the page, filter and paging the reviewer chose from.
        return redirect(request.get_full_path())
    chosen, options = _review_filter(request)
    returns = review.in_filter(user=request.user, chosen=chosen)
    counts = review.status_counts(returns)
    page = Paginator(review.listed(returns, status=chosen.status), REVIEW_PAGE_SIZE).get_page(
        request.GET.get("trang")
    )
    return render(
        request,
        "funds/review_list.html",
        {
            "filter": chosen,
            "year": chosen.year,
            "years": year_choices(),
            "clusters": [n for n in options if n.tier == Tier.CLUSTER],
            "province_groups": review.province_groups(options),
            "tiers": Tier.choices,
            "statuses": [
                (value, label, counts[value], chosen.query(trang_thai=value))
                for value, label in review.STATUS_CHOICES
            ],
            "page": page,
            "rows": review.with_last_year(list(page.object_list)),
            "progress": [
                (row, chosen.query(tinh=row.province.pk))
                for row in review.progress_of(chosen=chosen, options=options)
            ],
            "pending": counts[AnnualReturn.Status.SUBMITTED],
            "query": chosen.query(),
        },
    )


@login_required
def review_approve_all(request):
    """Approve every submitted return of the queue's filter, after a page that says how many and which."""
    _ensure_reviewer(request)
    chosen, _options = _review_filter(request)
    submitted = review.listed(
        review.in_filter(user=request.user, chosen=chosen), status=AnnualReturn.Status.SUBMITTED
    )
    back = reverse("review_list") + "?" + chosen.query()
    if request.method == "POST":
        # Only what the confirmation listed, at the versions it showed, and still in the filter.
        in_filter = set(submitted.values_list("pk", flat=True))
        seen = {pk: v for pk, v in parse_seen(request.POST.getlist("seen")).items() if pk in in_filter}
        result = workflow.annual_returns_approve_many(user=request.user, seen=seen)
        done = _("Đã duyệt %(count)s báo cáo.") % {"count": result.approved}
        report_bulk_approval(request, result, seen, done)
        if not result.approved and not result.changed:
            messages.warning(request, _("Không có báo cáo nào đang chờ duyệt."))
        return redirect(back)
    returns = list(submitted)
    return render(
        request,
        "funds/review_confirm.html",
        {
            "filter": chosen,
            "year": chosen.year,
            "returns": returns[:CONFIRM_LISTED],
            "more": max(len(returns) - CONFIRM_LISTED, 0),
            "count": len(returns),
            "seen": ",".join(f"{r.pk}:{r.version}" for r in returns),
            "back": back,
            "query": chosen.query(),
        },
    )
