"""`make bench`: the 2022 Tây Bắc PDF must render in under one second on the project's machines."""

import statistics
import time

import pytest
from django.test import RequestFactory

from reports.models import ClusterConference
from reports.views import conference_draft_pdf

pytestmark = pytest.mark.benchmark


def test_tay_bac_2022_pdf_renders_under_a_second(demo, django_user_model):
    conference = ClusterConference.objects.get(cluster__code="CUM01", year=2022)
    request = RequestFactory().get("/")
    request.user = django_user_model.objects.get(username="taybac")
    conference_draft_pdf(request, conference.pk)  # warm up: font loading, template compilation
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        response = conference_draft_pdf(request, conference.pk)
        timings.append(time.perf_counter() - start)
    assert response.status_code == 200
    median = statistics.median(timings)
    print(
        f"\nTây Bắc 2022 PDF (queries + template + WeasyPrint): median {median:.3f} s, max {max(timings):.3f} s over 5"
    )
    assert median < 1.0
