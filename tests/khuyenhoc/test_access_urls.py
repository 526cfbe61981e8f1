"""The portal's permission matrix: every URL that names an object, or takes one in its query, answers
each standard user as the access policy says. Outside what the user sees it is 404, a write without
the right is 403, and what is open on purpose (cluster and province totals, a cluster's report for
its members) is open. Where another module holds a view's matrix, COVERED names it."""

import importlib
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from associations.models import Role, RoleKind
from funds.file_jobs import storage
from funds.models import AnnualReturn, FileJob, ImportJob
from reports.models import ClusterConference
from tests.conftest import make_user

YEAR = 2023
USERS = ["officer", "viewer", "outsider", "chair", "reviewer", "stranger"]


def _request(case: str, tree) -> tuple[str, str, dict | None]:
    """(method, url, data) of one case; officer and viewer hold their role on P1 of cluster A."""
    p1, cluster = tree.p1, tree.cluster_a
    if case == "association_detail":
        return "get", reverse("association_detail", args=[tree.c1.pk]), None
    if case in ("role_carry", "role_carry_post"):
        return ("post" if case.endswith("_post") else "get"), reverse("role_carry", args=[tree.c1.pk]), {}
    if case in ("cluster_report", "cluster_report_pdf"):
        return "get", reverse(case, args=[cluster.pk, YEAR - 1]), None  # a year without a conference
    if case == "conference_list":
        return "get", reverse("conference_list", args=[cluster.pk]), None
    if case == "conference_edit_year":
        return "get", reverse("conference_edit_year", args=[cluster.pk, YEAR]), None
    if case.startswith("conference_"):
        conference = ClusterConference.objects.create(cluster=cluster, year=YEAR, place="Một")
        if case == "conference_edit_post":
            data = {"year": YEAR, "kind": "giao_ban", "place": "Đổi chỗ"}
            return "post", reverse("conference_edit", args=[conference.pk]), data
        name = "conference_edit" if case == "conference_edit_get" else case
        return "get", reverse(name, args=[conference.pk]), None
    if case == "completeness_approve":
        listed = AnnualReturn.objects.create(
            association=tree.c1, year=YEAR, status=AnnualReturn.Status.SUBMITTED
        )
        data = {"nam": YEAR, "seen": f"{listed.pk}:{listed.version}"}
        return "post", reverse("completeness_approve", args=[p1.pk]), data
    if case == "completeness_approve_confirm":
        AnnualReturn.objects.create(association=tree.c1, year=YEAR, status=AnnualReturn.Status.SUBMITTED)
        return "get", reverse("completeness_approve", args=[p1.pk]) + f"?nam={YEAR}", None
    if case == "completeness_unsent":
        return "get", reverse("completeness_unsent", args=[p1.pk]) + f"?nam={YEAR}", None
    if case == "review_approve_all_post":
        listed = AnnualReturn.objects.create(
            association=tree.c1, year=YEAR, status=AnnualReturn.Status.SUBMITTED
        )
        url = reverse("review_approve_all") + f"?nam={YEAR}&cum={cluster.pk}"
        return "post", url, {"seen": f"{listed.pk}:{listed.version}"}
    if case == "province_trends":
        return "get", reverse("province_trends", args=[p1.pk]), None
    if case == "province_trends_of_a_district":
        return "get", reverse("province_trends", args=[tree.d1.pk]), None
    if case == "rankings_inside_a_province":
        return "get", reverse("rankings") + f"?pham_vi=tinh-{p1.pk}", None
    if case == "rankings_export_inside_a_province":
        return "get", reverse("rankings_export", args=["csv"]) + f"?pham_vi=tinh-{p1.pk}", None
    if case == "rankings_of_another_cluster":
        return "get", reverse("rankings") + f"?pham_vi=cum-{tree.cluster_b.pk}", None
    if case == "export_a_subtree":
        return "get", reverse("export_returns", args=["csv"]) + f"?hoi={tree.d1.pk}&nam={YEAR}", None
    if case == "import_template":
        return "get", reverse("import_template"), None
    if case == "import_upload_post":
        return "post", reverse("import_upload"), {}
    if case == "import_confirm":
        return "post", reverse("import_confirm"), {}
    if case in ("file_job", "file_job_status", "file_job_download"):
        owner = get_user_model().objects.get(username="officer")
        job = FileJob.objects.create(owner=owner, kind="figures_export", status="done")
        job.result_name = storage().save(job.pk.hex + ".csv", ContentFile(b"a,b\r\n"))
        job.filename, job.content_type = "so-lieu.csv", "text/csv"
        job.save()
        return "get", reverse(case, args=[job.pk]), None
    if case in ("import_job", "import_job_status"):
        # The officer's job: only its owner follows it.
        owner = get_user_model().objects.get(username="officer")
        job = ImportJob.objects.create(owner=owner, filename="so-lieu.xlsx", token="0" * 32, sha256="0" * 64)
        return "get", reverse(case, args=[job.pk]), None
    if case.startswith("user_"):
        target = make_user("target", RoleKind.VIEWER, tree.c1)
        if case == "user_detail":
            return "get", reverse("user_detail", args=[target.pk]), None
        password = {"new_password1": "Khuyến-học-2025!", "new_password2": "Khuyến-học-2025!"}
        return "post", reverse(case, args=[target.pk]), password if case == "user_temporary_password" else {}
    raise AssertionError(case)


def _row(officer, viewer, outsider, chair, reviewer, stranger) -> dict[str, int]:
    return dict(zip(USERS, (officer, viewer, outsider, chair, reviewer, stranger), strict=True))


#                                                officer viewer outsider chair reviewer stranger
MATRIX = {
    "association_detail": _row(200, 200, 404, 200, 200, 404),
    # C1 has no successor: the reviewer is told so (and sent back to the association's page).
    "role_carry": _row(403, 403, 404, 403, 200, 404),
    "role_carry_post": _row(403, 403, 404, 403, 302, 404),
    # The report is shared with every member association of the cluster (the outsider's P2 is one).
    "cluster_report": _row(200, 200, 200, 200, 200, 404),
    "conference_list": _row(200, 200, 200, 200, 200, 404),
    "conference_report": _row(200, 200, 200, 200, 200, 404),
    "conference_draft": _row(200, 200, 200, 200, 200, 404),
    # A PDF renders in about a second: the member who shares the report, and the stranger.
    "cluster_report_pdf": {"outsider": 200, "stranger": 404},
    "conference_pdf": {"outsider": 200, "stranger": 404},
    "conference_draft_pdf": {"outsider": 200, "stranger": 404},
    "conference_edit_year": _row(403, 403, 403, 302, 302, 404),
    "conference_edit_get": _row(403, 403, 403, 200, 200, 404),
    "conference_edit_post": _row(403, 403, 403, 302, 302, 404),
    "completeness_approve": _row(403, 403, 404, 403, 302, 404),
    "completeness_approve_confirm": _row(403, 403, 404, 403, 200, 404),
    # Who in a province has not sent in, with their officers: for everyone who sees the province.
    "completeness_unsent": _row(200, 200, 404, 200, 200, 404),
    "review_approve_all_post": _row(403, 403, 403, 403, 302, 403),
    # A province's totals are open to every signed-in user; a district's are not a province's trend.
    "province_trends": _row(200, 200, 200, 200, 200, 200),
    "province_trends_of_a_district": _row(404, 404, 404, 404, 404, 404),
    # The inside of a province (its districts and communes) stays in its subtree.
    "rankings_inside_a_province": _row(200, 200, 404, 200, 200, 404),
    "rankings_export_inside_a_province": _row(200, 200, 404, 200, 200, 404),
    "rankings_of_another_cluster": _row(200, 200, 200, 200, 200, 200),
    "export_a_subtree": _row(200, 200, 404, 200, 200, 404),
    # Importing needs the entry right somewhere; the rows themselves are checked one by one.
    "import_template": _row(200, 403, 200, 403, 403, 200),
    "import_upload_post": _row(200, 403, 200, 403, 403, 200),
    "import_confirm": _row(302, 403, 302, 403, 403, 302),
    # An import's job is its owner's alone (the file is theirs until written); anyone else: 404.
    "import_job": _row(200, 404, 404, 404, 404, 404),
    "import_job_status": _row(200, 404, 404, 404, 404, 404),
    # So is a built file: it was built with its owner's access.
    "file_job": _row(200, 404, 404, 404, 404, 404),
    "file_job_status": _row(200, 404, 404, 404, 404, 404),
    "file_job_download": _row(200, 404, 404, 404, 404, 404),
    # An account is in a reviewer's care when all its roles are where the reviewer reviews (here on C1).
    "user_detail": _row(403, 403, 404, 403, 200, 404),
    "user_temporary_password": _row(403, 403, 404, 403, 302, 404),
    "user_reset_link": _row(403, 403, 404, 403, 200, 404),
}
WRITES = {
    "role_carry_post",
    "conference_edit_post",
    "completeness_approve",
    "review_approve_all_post",
    "import_upload_post",
    "import_confirm",
    "user_temporary_password",
}
CASES = [(case, user, status) for case, row in MATRIX.items() for user, status in row.items()]

# URL name → the test module whose matrix covers it.
COVERED = {
    **dict.fromkeys(
        [
            "association_detail",
            "role_carry",
            "cluster_report",
            "cluster_report_pdf",
            "conference_list",
            "conference_edit_year",
            "conference_report",
            "conference_pdf",
            "conference_draft",
            "conference_draft_pdf",
            "conference_edit",
            "completeness_approve",
            "completeness_unsent",
            "province_trends",
            "user_detail",
            "user_temporary_password",
            "user_reset_link",
            "import_job",
            "import_job_status",
            "file_job",
            "file_job_status",
            "file_job_download",
        ],
        __name__,
    ),
    **dict.fromkeys(
        [
            "return_edit",
            "return_history",
            "return_submit",
            "return_approve",
            "return_send_back",
            "return_reopen",
        ],
        "tests.funds.test_permissions",
    ),
    "conference_create": "tests.reports.test_conferences",
    **dict.fromkeys(
        ["conference_issue", "issued_report", "issued_pdf"], "tests.reports.test_issuing_permissions"
    ),
}


def _state():
    return (
        list(Role.objects.order_by("pk").values_list("user_id", "association_id", "role")),
        list(ClusterConference.objects.values_list("place", flat=True)),
        list(AnnualReturn.objects.values_list("status", flat=True)),
        list(get_user_model().objects.order_by("pk").values_list("password", flat=True)),
    )


@pytest.mark.parametrize(("case", "username", "status"), CASES, ids=[f"{c}-{u}" for c, u, _ in CASES])
def test_it_answers_each_user_as_the_matrix_says(case, username, status, request, tree, client, officer):
    method, url, data = _request(case, tree)
    client.force_login(request.getfixturevalue(username))
    before = _state()
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == status
    if case in WRITES and status in (403, 404):
        assert _state() == before


@pytest.mark.parametrize("case", list(MATRIX))
def test_it_sends_anonymous_users_to_login(case, tree, client, officer):
    method, url, data = _request(case, tree)
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def _object_urls(patterns, prefix=""):
    """Names of the portal's URLs whose path carries an object id."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _object_urls(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and re.search(
            r"<(int:pk|uuid:\w+)>", prefix + str(pattern.pattern)
        ):
            yield pattern.name


def test_every_url_that_names_an_object_is_in_a_matrix():
    assert set(_object_urls(get_resolver().url_patterns)) == set(COVERED)


def test_the_matrices_named_elsewhere_test_those_urls():
    for name, module in COVERED.items():
        if module != __name__:
            assert f'"{name}"' in Path(importlib.import_module(module).__file__).read_text(), (name, module)
