from django.http import Http404


def cluster_report(request, pk, year):
    raise Http404


cluster_report_pdf = conference_edit = cluster_report
