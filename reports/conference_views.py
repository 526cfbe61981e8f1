"""A cluster's conferences: the list, starting the next one, editing one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.years import parse_year

from . import services
from .access import can_edit_conference, get_cluster_for_report, get_conference_for_user
from .conferences import cluster_conferences, latest_conference, next_conference_initial
from .forms import ConferenceForm


@login_required
def conference_list(request, pk: int):
    cluster = get_cluster_for_report(request.user, pk)
    return render(
        request,
        "reports/conference_list.html",
        {
            "cluster": cluster,
            "conferences": cluster_conferences(cluster=cluster),
            "can_edit": can_edit_conference(request.user, cluster),
        },
    )


@login_required
def conference_create(request, pk: int):
    cluster = get_cluster_for_report(request.user, pk)
    if not can_edit_conference(request.user, cluster):
        raise PermissionDenied
    initial = next_conference_initial(cluster=cluster)
    if (year := parse_year(request.GET.get("nam"))) is not None:
        initial["year"] = year
    form = ConferenceForm(request.POST or None, initial=initial, cluster=cluster)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            conference = services.conference_save(user=request.user, cluster=cluster, data=data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã tạo hội nghị."))
            return redirect("conference_report", pk=conference.pk)
    return render(
        request, "reports/conference_edit.html", {"form": form, "cluster": cluster, "conference": None}
    )


@login_required
def conference_edit(request, pk: int):
    conference = get_conference_for_user(request.user, pk, write=True)
    form = ConferenceForm(request.POST or None, instance=conference, cluster=conference.cluster)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        services.conference_save(
            user=request.user, cluster=conference.cluster, conference=conference, data=data
        )
        messages.success(request, _("Đã lưu thông tin hội nghị."))
        return redirect("conference_draft", pk=conference.pk)
    return render(
        request,
        "reports/conference_edit.html",
        {"form": form, "cluster": conference.cluster, "conference": conference},
    )


@login_required
def conference_edit_year(request, pk: int, year: int):
    """The old address (one conference a year): the year's latest conference, or a new one for that year."""
    cluster = get_cluster_for_report(request.user, pk)
    if not can_edit_conference(request.user, cluster):
        raise PermissionDenied
    conference = latest_conference(cluster=cluster, year=year)
    if conference is not None:
        return redirect("conference_edit", pk=conference.pk)
    return redirect(reverse("conference_create", args=[cluster.pk]) + f"?nam={year}")
