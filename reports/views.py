from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.years import MAX_YEAR, MIN_YEAR

from . import services
from .access import can_edit_conference, get_cluster_for_report
from .forms import ConferenceForm
from .models import ClusterConference
from .pdf import html_to_pdf
from .selectors import cluster_report as build_report

TEMPLATE = "reports/cluster_report.html"


def _report_context(request, pk: int, year: int) -> dict:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    cluster = get_cluster_for_report(request.user, pk)
    return {
        "report": build_report(cluster=cluster, year=year),
        "cluster": cluster,
        "year": year,
        "can_edit": can_edit_conference(request.user, cluster),
    }


@login_required
def cluster_report(request, pk: int, year: int):
    return render(request, TEMPLATE, _report_context(request, pk, year))


def report_filename(cluster, year: int) -> str:
    return f"bao-cao-{slugify(cluster.short_name.replace('đ', 'd').replace('Đ', 'D'))}-{year}.pdf"


@login_required
def cluster_report_pdf(request, pk: int, year: int):
    context = _report_context(request, pk, year)
    html = render_to_string(TEMPLATE, {**context, "pdf": True}, request=request)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(context["cluster"], year)}"'
    return response


@login_required
def conference_edit(request, pk: int, year: int):
    cluster = get_cluster_for_report(request.user, pk)
    if not can_edit_conference(request.user, cluster):
        raise PermissionDenied
    instance = ClusterConference.objects.filter(cluster=cluster, year=year).first()
    form = ConferenceForm(request.POST or None, instance=instance, cluster=cluster, year=year)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        services.conference_save(user=request.user, cluster=cluster, year=year, data=data)
        messages.success(request, _("Đã lưu thông tin hội nghị."))
        return redirect("cluster_report", pk=cluster.pk, year=year)
    return render(request, "reports/conference_edit.html", {"form": form, "cluster": cluster, "year": year})
