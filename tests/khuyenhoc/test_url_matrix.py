"""Every URL pattern of the site, the admin's included, asked by every kind of user with GET and POST.

The patterns are read from the URL configuration; each is filled with an object the users see, one
they do not, and malformed values (Unicode digits, huge numbers, years out of range), and the pages
that read a query string get hostile ones. The answers are compared with EXPECTED below: a rule per
pattern (and per identity where they differ). No answer may be a server error, and a pattern that is
not in EXPECTED fails the test by name, so a new view must say who may open it.
"""

import hashlib
import logging
import re
import traceback
from dataclasses import dataclass
from datetime import date
from unittest import mock

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern

from associations.models import Association, Role, RoleKind
from funds.file_jobs import storage
from funds.models import AnnualReturn, FileJob, Fund, FundBalance, ImportJob, Scholarship, Transfer
from reports import snapshot
from reports.models import ClusterConference, IssuedReport
from tests.conftest import Tree, make_user

YEAR = 2023
HUGE = 10**20
PDF = b"%PDF-1.4 stub"

# ---------------------------------------------------------------------------------------------------
# Outcomes. "ok" is any 2xx or 3xx that is not a login redirect.
OK, LOGIN, ADMIN_LOGIN = "ok", "login", "admin-login"
IDENTITIES = ["anonymous", "viewer", "officer", "district", "chair", "reviewer", "staff"]
SIGNED_IN = IDENTITIES[1:]


def outcome(response) -> str:
    status = response.status_code
    if status == 302:
        location = response["Location"]
        if location.startswith(reverse("login") + "?next="):
            return LOGIN
        if location.startswith(reverse("admin:login") + "?next="):
            return ADMIN_LOGIN
    if 200 <= status < 400:
        return OK
    return str(status)


# ---------------------------------------------------------------------------------------------------
# The patterns, read from the URL configuration.


GROUP = r"\((?:\?P<(\w+)>)?[^()]*\)"  # a regex group, named or not


@dataclass
class Pattern:
    key: str  # the namespaced name, or the route for an unnamed pattern
    parts: list  # the pattern of each resolver down to this one
    admin: bool

    @property
    def route(self) -> str:
        return "".join(str(p) for p in self.parts)

    def url(self, values: dict) -> str:
        """The path with `values` put in for the converters and groups (positional groups: arg0, arg1)."""
        out = []
        for part in self.parts:
            if isinstance(part, RegexPattern):
                text, positional = str(part._regex).lstrip("^").rstrip("$"), iter(range(10))
                out.append(
                    re.sub(GROUP, lambda m, n=positional: str(values[m.group(1) or f"arg{next(n)}"]), text)
                )
            else:
                out.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), str(part)))
        return "/" + "".join(out)


def walk(patterns, parts=(), namespace="") -> list[Pattern]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace + (p.namespace + ":" if p.namespace else "")
            found += walk(p.url_patterns, (*parts, p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = "".join(str(x) for x in (*parts, p.pattern))
            key = namespace + p.name if p.name else route
            found.append(Pattern(key, [*parts, p.pattern], admin=route.startswith("quan-tri/")))
    return found


PATTERNS = walk(get_resolver().url_patterns)


# ---------------------------------------------------------------------------------------------------
# The world: built once for the module, rolled back after it.

RETURN_YEAR, CONFERENCE_YEAR = YEAR, YEAR - 1


class World:
    """Officer and viewer on P1, a district officer on D1, the chair of cluster A, a reviewer at the
    centre, and a staff user with every model permission and no role. In scope: C1 (under D1, P1,
    cluster A) and what belongs to it; out of scope: P3 (cluster B) and what belongs to it."""

    def __init__(self):
        self.tree = tree = Tree()
        tree.refresh()
        for node in (tree.c1, tree.p3):
            node.save()  # a history record for the admin's history pages (the tree is bulk-inserted)
        self.users = {
            "anonymous": None,
            "viewer": make_user("viewer", RoleKind.VIEWER, tree.p1),
            "officer": make_user("officer", RoleKind.OFFICER, tree.p1),
            "district": make_user("district", RoleKind.OFFICER, tree.d1),
            "chair": make_user("chair", RoleKind.CHAIR, tree.cluster_a),
            "reviewer": make_user("reviewer", RoleKind.REVIEWER, tree.central),
            "staff": make_user("staff"),
        }
        staff = self.users["staff"]
        staff.is_staff = True
        staff.save()
        staff.user_permissions.set(Permission.objects.all())
        # a user in a reviewer's care (viewer of C1), and one out of everyone's but the centre's
        target, stranger = (
            make_user("target", RoleKind.VIEWER, tree.c1),
            make_user("stranger", RoleKind.OFFICER, tree.p3),
        )
        returns = [
            AnnualReturn.objects.create(
                association=node, year=RETURN_YEAR, status=AnnualReturn.Status.SUBMITTED
            )
            for node in (tree.c1, tree.p3)
        ]
        funds = [Fund.objects.create(association=node, name="Quỹ") for node in (tree.c1, tree.p3)]
        balances = [FundBalance.objects.create(fund=fund, year=RETURN_YEAR, balance=1000) for fund in funds]
        scholarships = [
            Scholarship.objects.create(association=node, year=RETURN_YEAR, programme="HB", awards=1)
            for node in (tree.c1, tree.p3)
        ]
        transfers = [
            Transfer.objects.create(
                recipient=node, year=RETURN_YEAR, giver_name="Ai", amount=10, purpose="Học"
            )
            for node in (tree.c1, tree.p3)
        ]
        conferences = [
            ClusterConference.objects.create(cluster=cluster, year=CONFERENCE_YEAR, place="Một")
            for cluster in (tree.cluster_a, tree.cluster_b)
        ]
        doc = snapshot.live(cluster=tree.cluster_a, year=CONFERENCE_YEAR, conference=conferences[0])
        IssuedReport.objects.create(
            conference=conferences[0],
            version=1,
            number=1,
            symbol="BC-CA",
            dated=date(CONFERENCE_YEAR, 12, 1),
            issued_by=self.users["reviewer"],
            pdf=ContentFile(PDF, name="bao-cao.pdf"),
            sha256=hashlib.sha256(PDF).hexdigest(),
            snapshot=doc,
        )
        group = Group.objects.create(name="Nhóm")
        attempt = AccessAttempt.objects.create(username="x", ip_address="127.0.0.1", failures_since_start=1)
        log = AccessLog.objects.create(username="x", ip_address="127.0.0.1")
        failure = AccessFailureLog.objects.create(username="x", ip_address="127.0.0.1")
        roles = [Role.objects.get(user=target), Role.objects.get(user=stranger)]
        # (in scope, out of scope) of each kind of object a URL names
        jobs = [
            ImportJob.objects.create(
                owner=owner,
                filename="so-lieu.xlsx",
                token="0" * 32,
                sha256="0" * 64,
                status="done",
                outcome="written",
                result={"new": 1, "changed": 0, "unchanged": 0},
            )
            for owner in (self.users["officer"], stranger)
        ]
        # A built file of the officer's, and one of the stranger's.
        file_jobs = []
        for owner in (self.users["officer"], stranger):
            job = FileJob.objects.create(owner=owner, kind="figures_export", status="done")
            job.result_name = storage().save(job.pk.hex + ".csv", ContentFile(b"a,b\r\n"))
            job.filename, job.content_type = "so-lieu-2023.csv", "text/csv"
            job.save()
            file_jobs.append(job)
        self.objects = {
            "import_job": tuple(jobs),
            "file_job": tuple(file_jobs),
            "association": (tree.c1, tree.p3),
            "province": (tree.p1, tree.p3),
            "cluster": (tree.cluster_a, tree.cluster_b),
            "return": tuple(returns),
            "conference": tuple(conferences),
            "user": (target, stranger),
            "associations_association": (tree.c1, tree.p3),
            "associations_role": tuple(roles),
            "auth_user": (target, stranger),
            "auth_group": (group, group),
            "funds_annualreturn": tuple(returns),
            "funds_fund": tuple(funds),
            "funds_fundbalance": tuple(balances),
            "funds_scholarship": tuple(scholarships),
            "funds_transfer": tuple(transfers),
            "axes_accessattempt": (attempt, attempt),
            "axes_accesslog": (log, log),
            "axes_accessfailurelog": (failure, failure),
        }


@pytest.fixture(autouse=True)
def _jobs_dir():
    """The world's built files stay where the world stored them (JOBS_DIR under its MEDIA_ROOT)."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers, MEDIA_ROOT=str(media), JOBS_DIR=str(media / "jobs")),
        transaction.atomic(),
    ):
        yield World()
        transaction.set_rollback(True)


# ---------------------------------------------------------------------------------------------------
# The URLs of each pattern: (kind of case, path). Kinds: "in" and "out" (an object seen or not),
# "bad" (malformed, huge or missing ids), "year" (out of range) and "unicode"/"range" (hostile query
# strings: Unicode digits; years, ids and scopes out of range).

PORTAL_OBJECTS = {
    **dict.fromkeys(["association_detail", "return_edit", "return_history", "role_carry"], "association"),
    **dict.fromkeys(["return_submit", "return_approve", "return_reopen", "return_send_back"], "return"),
    **dict.fromkeys(["user_detail", "user_temporary_password", "user_reset_link"], "user"),
    **dict.fromkeys(
        [
            "conference_list",
            "conference_create",
            "cluster_report",
            "cluster_report_pdf",
            "conference_edit_year",
        ],
        "cluster",
    ),
    **dict.fromkeys(
        [
            "conference_report",
            "conference_pdf",
            "conference_draft",
            "conference_draft_pdf",
            "conference_edit",
            "conference_issue",
            "issued_report",
            "issued_pdf",
        ],
        "conference",
    ),
    **dict.fromkeys(["completeness_approve", "completeness_unsent", "province_trends"], "province"),
}
HOSTILE_QUERIES = {
    "unicode": "?nam=²&hoi=²&pham_vi=tinh-²&trang=²&q=²&loai=²&cum=²&tinh=²&cap=²&trang_thai=²",
    "range": f"?nam=1999&hoi={HUGE}&pham_vi=cum-²&trang=-1&cum={HUGE}&tinh=-1",
}
ADMIN_QUERY = "?p=²&o=²&q=²&e=²&all=²"


def admin_model(pattern: Pattern) -> str | None:
    """ "funds_fund" for /quan-tri/funds/fund/…, the model a pattern of the admin is about."""
    m = re.match(r"quan-tri/(\w+)/(\w+)/", pattern.route)
    return f"{m.group(1)}_{m.group(2)}" if m and pattern.key not in ADMIN_PAGES else None


def cases(pattern: Pattern, world: World) -> list[tuple[str, str]]:
    params = set(re.findall(r"<(?:\w+:)?(\w+)>", pattern.route)) | {
        name or f"arg{i}"
        for part in pattern.parts
        if isinstance(part, RegexPattern)
        for i, name in enumerate(re.findall(r"\((?:\?P<(\w+)>)?[^()]*\)", str(part._regex)))
    }
    kind = PORTAL_OBJECTS.get(pattern.key) or admin_model(pattern)
    year = CONFERENCE_YEAR if kind in ("cluster", "conference") else RETURN_YEAR
    found: list[tuple[str, dict]] = []
    if not params:
        found.append(("in", {}))
    elif params == {"year"}:
        found += [("in", {"year": CONFERENCE_YEAR}), ("year", {"year": 1999}), ("year", {"year": 2999})]
    elif params <= {"pk", "year", "version"}:
        inside, outside = world.objects[kind]
        base = {"pk": inside.pk, "year": year, "version": 1}
        found += [("in", base), ("out", {**base, "pk": outside.pk}), ("bad", {**base, "pk": HUGE})]
        if "year" in params:
            found += [("year", {**base, "year": 1999}), ("year", {**base, "year": 2999})]
        if "version" in params:
            found += [("bad", {**base, "version": 99}), ("bad", {**base, "version": HUGE})]
    elif params == {"fmt"}:
        found += [
            ("in", {"fmt": "csv"}),
            ("in", {"fmt": "xlsx"}),
            ("bad", {"fmt": "²"}),
            ("bad", {"fmt": "exe"}),
        ]
    elif params in ({"object_id"}, {"id"}, {"arg0", "arg1"}):
        inside, outside = world.objects[kind]
        if params == {"arg0", "arg1"}:  # simple_history's (object id, history id)
            one = lambda obj: {"arg0": obj.pk, "arg1": obj.history.latest().history_id}  # noqa: E731
            found += [("in", one(inside)), ("out", one(outside))]
            found += [("bad", {"arg0": inside.pk, "arg1": "²"}), ("bad", {"arg0": "²", "arg1": HUGE})]
        else:
            name = params.pop()
            found += [("in", {name: inside.pk}), ("out", {name: outside.pk})]
            found += [("bad", {name: "²"}), ("bad", {name: HUGE})]
    elif params == {"content_type_id", "object_id"}:
        ct = ContentType.objects.get_for_model(Association).pk
        found += [("in", {"content_type_id": ct, "object_id": world.tree.c1.pk})]
        found += [("out", {"content_type_id": ct, "object_id": world.tree.p3.pk})]
        found += [
            ("bad", {"content_type_id": ct, "object_id": "²"}),
            ("bad", {"content_type_id": "²", "object_id": HUGE}),
        ]
    elif params == {"job_id"}:
        inside, outside = world.objects["file_job" if pattern.key.startswith("file_job") else "import_job"]
        found += [("in", {"job_id": inside.pk}), ("out", {"job_id": outside.pk})]
        found += [
            ("bad", {"job_id": "00000000-0000-0000-0000-000000000000"}),
            ("bad", {"job_id": "ffffffff-ffff-ffff-ffff-ffffffffffff"}),
        ]
    elif params == {"uidb64", "token"}:
        found += [("bad", {"uidb64": "eA", "token": "x-y"}), ("bad", {"uidb64": "²", "token": "²"})]
    elif params == {"app_label"}:
        found += [("in", {"app_label": label}) for label in ("associations", "funds")]
        # Only superusers see a model of auth, or the login records (khuyenhoc/admin.py).
        found += [("out", {"app_label": label}) for label in ("auth", "axes")]
    elif params == {"url"}:
        found += [("bad", {"url": "khong-co/"}), ("bad", {"url": "²/"})]
    else:
        raise AssertionError(f"{pattern.key}: no values for {sorted(params)}")
    urls = [(label, pattern.url(values)) for label, values in found]
    inside = [url for label, url in urls if label == "in"][:1]
    if inside and pattern.key.endswith("_changelist"):
        urls += [("unicode", inside[0] + ADMIN_QUERY)]
    elif inside and pattern.key in QUERY_PAGES:
        urls += [(label, inside[0] + query) for label, query in HOSTILE_QUERIES.items()]
    return urls


QUERY_PAGES = {
    "home",
    "review_list",
    "review_approve_all",
    "completeness",
    "completeness_unsent",
    "rankings",
    "rankings_export",
    "import_upload",
    "import_template",
    "export_returns",
    "export_fund_balances",
    "export_scholarships",
    "province_trends",
    "conference_create",
    "user_list",
    "return_edit",
}


# ---------------------------------------------------------------------------------------------------
# EXPECTED: what each pattern answers. A rule maps (kind of case, method) to a row of answers by
# identity; "*" stands for both methods. Left out: "bad" answers 404 (405 where GET is not allowed),
# "query" answers as "in"; anonymous users are sent to the login page, and on the admin everyone
# without is_staff to the admin's.


def row(viewer, officer, district, chair, reviewer, staff) -> dict[str, str]:
    return dict(zip(SIGNED_IN, (viewer, officer, district, chair, reviewer, staff), strict=True))


def same(answer) -> dict[str, str]:
    return dict.fromkeys(SIGNED_IN, str(answer))


EVERYONE, NOT_FOUND, NOT_ALLOWED = same(OK), same(404), same(405)
# C1 is seen by every role of the small tree, never by the staff user who holds none; P3 (cluster B)
# only by the reviewer at the centre.
SEES = row(OK, OK, OK, OK, OK, "404")
CENTRE = row("404", "404", "404", "404", OK, "404")
REVIEWS = row("403", "403", "403", "403", OK, "403")
ENTERS = row("403", OK, OK, "403", "403", "403")  # the entry right somewhere (officers)


def page(inside=SEES, outside=CENTRE, post_in=None, post_out=None, more=None) -> dict:
    """A page about one object, read with GET (and POST, which reads it too unless told)."""
    return {
        ("in", "get"): inside,
        ("out", "get"): outside,
        ("in", "post"): post_in or inside,
        ("out", "post"): post_out or outside,
        **(more or {}),
    }


def action(inside, outside=CENTRE) -> dict:
    """A POST-only action on one object."""
    return {("in", "post"): inside, ("out", "post"): outside, ("*", "get"): NOT_ALLOWED}


def plain(get=EVERYONE, post=None, anonymous=LOGIN, more=None) -> dict:
    """A page without an object in its path."""
    return {("in", "get"): get, ("in", "post"): post or get, "anonymous": anonymous, **(more or {})}


EXPECTED = {
    # Accounts: open pages, then Django's views for the signed-in.
    "login": plain(anonymous=OK),
    "logout": plain(get=NOT_ALLOWED, post=EVERYONE, anonymous={"get": "405", "post": OK}),
    "password_change": plain(),
    "password_change_done": plain(post=NOT_ALLOWED),
    "password_reset": plain(anonymous=OK),
    "password_reset_done": plain(post=NOT_ALLOWED, anonymous={"get": OK, "post": "405"}),
    "password_reset_confirm": {("bad", "*"): EVERYONE, "anonymous": OK},  # "this link is invalid"
    "password_reset_complete": plain(post=NOT_ALLOWED, anonymous={"get": OK, "post": "405"}),
    "set_language": plain(anonymous=OK),
    # A reviewer helps the accounts in their care; an empty temporary-password form is a 400.
    "user_list": plain(get=REVIEWS),
    "user_detail": page(row("403", "403", "403", "403", OK, "404"), CENTRE),
    "user_temporary_password": action(
        row("403", "403", "403", "403", "400", "404"), row("404", "404", "404", "404", "400", "404")
    ),
    "user_reset_link": action(row("403", "403", "403", "403", OK, "404")),
    "home": plain(),
    "association_detail": page(),
    # Carrying an ended node's roles to its successors is a reviewer's; C1 has none, so the POST only
    # says so.
    "role_carry": page(row("403", "403", "403", "403", OK, "404")),
    # Reading a return needs sight of the association, saving it the entry right; a year out of
    # range is 404 once the user may write there.
    "return_edit": page(
        post_in=row("403", OK, OK, "403", "403", "404"),
        post_out=row("404", "404", "404", "404", "403", "404"),
        more={("year", "post"): row("403", "404", "404", "403", "403", "404")},
    ),
    "return_history": page(),
    "return_submit": action(
        row("403", OK, OK, "403", "403", "404"), row("404", "404", "404", "404", "403", "404")
    ),
    "return_approve": action(row("403", "403", "403", "403", OK, "404")),
    "return_reopen": action(row("403", "403", "403", "403", OK, "404")),
    "return_send_back": action(row("403", "403", "403", "403", OK, "404")),
    "review_list": plain(get=REVIEWS),
    # Approving all the queue's filter: a confirmation page, then the approval (of nothing, here).
    "review_approve_all": plain(get=REVIEWS),
    # Everyone may open the import page to download figures; only officers upload or confirm.
    "import_upload": plain(post=ENTERS),
    "import_confirm": plain(get=NOT_ALLOWED, post=ENTERS),
    "import_cancel": plain(get=NOT_ALLOWED, post=EVERYONE),
    # An import's job and its status are the officer's who uploaded the file; anyone else: 404.
    **dict.fromkeys(
        ["import_job", "import_job_status"],
        {
            ("in", "get"): row("404", OK, "404", "404", "404", "404"),
            ("out", "get"): NOT_FOUND,
            ("*", "post"): NOT_ALLOWED,
            ("bad", "post"): NOT_ALLOWED,
        },
    ),
    # A built file, or an issuing, is followed by the user who asked for it alone.
    **dict.fromkeys(
        ["file_job", "file_job_status", "file_job_download"],
        {
            ("in", "get"): row("404", OK, "404", "404", "404", "404"),
            ("out", "get"): NOT_FOUND,
            ("*", "post"): NOT_ALLOWED,
            ("bad", "post"): NOT_ALLOWED,
        },
    ),
    "import_template": plain(
        get=ENTERS, more={("unicode", "*"): row("403", "404", "404", "403", "403", "403")}
    ),
    # Exports hold what the user sees; a malformed ?hoi= is 404.
    **dict.fromkeys(
        ["export_returns", "export_fund_balances", "export_scholarships", "rankings_export"],
        plain(more={("unicode", "*"): NOT_FOUND, ("range", "*"): NOT_FOUND}),
    ),
    "rankings": plain(more={("unicode", "*"): NOT_FOUND, ("range", "*"): NOT_FOUND}),
    "completeness": plain(),
    # An approval, and the page that confirms it, name a year: without one, 404 for whoever may approve
    # there; the district officer does not see the province.
    "completeness_approve": page(row("403", "403", "404", "403", "404", "404"), NOT_FOUND),
    # Who has not sent in: read by all who see the province; nothing to post, whatever the id.
    "completeness_unsent": page(
        row(OK, OK, "404", OK, OK, "404"),
        post_in=NOT_ALLOWED,
        post_out=NOT_ALLOWED,
        more={("bad", "post"): NOT_ALLOWED},
    ),
    "province_trends": page(EVERYONE, EVERYONE),  # a province's totals are open to all
    # Conferences: the cluster's members read them, its chair and the reviewers write them.
    "conference_list": page(),
    "conference_create": page(row("403", "403", "403", OK, OK, "404")),
    "cluster_report": page(),
    "cluster_report_pdf": page(),
    "conference_edit_year": page(
        row("403", "403", "403", OK, OK, "404"),
        more={("year", "*"): row("403", "403", "403", "404", "404", "404")},
    ),
    "conference_report": page(),
    "conference_pdf": page(),
    "conference_draft": page(),
    "conference_draft_pdf": page(),
    "conference_edit": page(row("403", "403", "403", OK, OK, "404")),
    "conference_issue": action(row("403", "403", "403", OK, OK, "404")),
    # A year's ZIP of the reports of every cluster the user reads: anyone with one; 404 out of range.
    "reports_zip": {
        ("in", "post"): row(OK, OK, OK, OK, OK, "404"),
        ("year", "post"): NOT_FOUND,
        ("*", "get"): NOT_ALLOWED,
    },
    # Cluster B's conference has no issued version: 404 for all.
    "issued_report": page(outside=NOT_FOUND),
    "issued_pdf": page(outside=NOT_FOUND),
}

# The admin: staff only. The staff user holds every model permission but no role, so the access
# policy leaves it empty lists of the tree's rows, and nothing it may change.
STAFF = "staff"
ADMIN_PAGES = {
    "admin:index": {"*": OK},
    "admin:login": {"*": OK},
    "admin:logout": {"get": "405", "post": OK},
    "admin:password_change": {"*": OK},
    "admin:password_change_done": {"get": OK, "post": "405"},
    "admin:autocomplete": {"get": "403", "post": "405"},
    "admin:jsi18n": {"get": OK, "post": "405"},
    "admin:view_on_site": {"*": "404"},
    "admin:app_list": {"in": OK, "out": "404"},
    "quan-tri/(?P<url>.*)$": {"*": "404"},
}
# model → (changelist, add, change GET, change POST, delete, history, history of a malformed id)
ADMIN_MODELS = {
    **dict.fromkeys(
        # Login records are the central administrators' (khuyenhoc/admin.py).
        ["axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"],
        ("403", "403", "403", "403", "403", "403", OK),
    ),
    # The tree's names are open; changing it is for superusers.
    "associations_association": (OK, "403", OK, "403", "403", "403", "404"),
    "associations_role": ("403", "403", "403", "403", "403", "403", "404"),
    **dict.fromkeys(["auth_user", "auth_group"], ("403", "403", "403", "403", "403", "403", OK)),
    # Rows the staff user does not see: "does not exist" (a redirect) or refused.
    **dict.fromkeys(
        ["funds_annualreturn", "funds_fund", "funds_fundbalance", "funds_scholarship", "funds_transfer"],
        (OK, "403", OK, "403", "403", "403", "404"),
    ),
}


def admin_expected(pattern: Pattern, identity: str, method: str, kind: str) -> str:
    if identity != STAFF:
        if pattern.key == "admin:login":
            return OK
        if pattern.key == "admin:logout":
            return OK  # sent to the admin's index
        return ADMIN_LOGIN
    if pattern.key in ADMIN_PAGES:
        answers = ADMIN_PAGES[pattern.key]
        return answers.get(kind) or answers.get(method) or answers["*"]
    model = admin_model(pattern)
    if model not in ADMIN_MODELS:
        return None
    changelist, add, change_get, change_post, delete, history, history_bad = ADMIN_MODELS[model]
    suffix = pattern.key.removeprefix(f"admin:{model}_")
    if pattern.key == pattern.route:  # the unnamed <object_id>/ → <object_id>/change/ redirect
        return OK
    if suffix == "simple_history" and kind == "bad" and method == "post" and model.startswith("funds_"):
        return "403"  # the tree's rows refuse a revert to whoever may not change them, before the ids
    return {
        "changelist": changelist,
        "add": add,
        "change": change_get if method == "get" else change_post,
        "delete": delete,
        "history": history_bad if kind == "bad" else history,
        "simple_history": history_bad if kind == "bad" else history,
        "password_change": change_get,
    }.get(suffix)


def expected(pattern: Pattern, identity: str, method: str, kind: str) -> str | None:
    """The answer EXPECTED gives, or None when the pattern is not in it."""
    if pattern.admin:
        return admin_expected(pattern, identity, method, kind)
    rule = EXPECTED.get(pattern.key)
    if rule is None:
        return None
    if identity == "anonymous":
        anonymous = rule.get("anonymous", LOGIN)
        return anonymous if isinstance(anonymous, str) else anonymous[method]
    for key in [(kind, method), (kind, "*")]:
        if key in rule:
            return rule[key][identity]
    if kind in ("unicode", "range"):
        return expected(pattern, identity, method, "in")
    if kind in ("bad", "year"):
        get_allowed = rule.get(("in", "get"), rule.get(("*", "get"))) is not NOT_ALLOWED
        return "404" if method == "post" or get_allowed else "405"
    return rule.get(("*", method), {}).get(identity)


def gated(pattern: Pattern, identity: str, kind: str) -> bool:
    """True when the user is turned away before the view reads the URL: one URL is then enough."""
    return expected(pattern, identity, "get", kind) in (LOGIN, ADMIN_LOGIN)


# ---------------------------------------------------------------------------------------------------


@pytest.fixture
def clients(world, db, settings):
    # Cookie sessions and no request logging: some 6.000 requests must fit in the time of a test run.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    made = {}
    for identity, user in world.users.items():
        made[identity] = Client(raise_request_exception=False)
        if user is not None:
            made[identity].force_login(user)
    return made


@pytest.fixture(autouse=True)
def _quiet_and_quick():
    """Access is what is tested: a PDF takes a second to render, so a stub stands for it; and the
    log of every 403 and 404 with its traceback would double the time."""
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security.csrf")]
    with mock.patch("reports.rendering.html_to_pdf", return_value=PDF):
        for logger in loggers:
            logger.disabled = True
        yield
        for logger in loggers:
            logger.disabled = False


def _signed_out(client) -> bool:
    return "_auth_user_id" not in client.session


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.key for p in PATTERNS])
def test_it_answers_every_pattern_as_the_table_says(pattern, world, clients):
    known = pattern.key in EXPECTED or pattern.key in ADMIN_PAGES or admin_model(pattern) in ADMIN_MODELS
    if not known:
        pytest.fail(
            f"The URL pattern {pattern.key!r} ({pattern.route}) is not in EXPECTED: say who may open it."
        )
    failures = []
    for number, (kind, url) in enumerate(cases(pattern, world)):
        for identity in IDENTITIES:
            if number and gated(pattern, identity, kind):
                continue
            client = clients[identity]
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                if response.status_code >= 500:
                    trace = (
                        "".join(traceback.format_exception(*response.exc_info)) if response.exc_info else ""
                    )
                    failures.append(f"{method.upper()} {url} as {identity}: {response.status_code}\n{trace}")
                    continue
                want = expected(pattern, identity, method, kind)
                got = outcome(response)
                if want is None:
                    failures.append(f"{method.upper()} {url} as {identity} ({kind}): not in EXPECTED")
                elif got != want:
                    failures.append(f"{method.upper()} {url} as {identity} ({kind}): {got}, expected {want}")
                if world.users[identity] is not None and _signed_out(client):  # a logout
                    client.force_login(world.users[identity])
    assert not failures, "\n".join(failures)


def test_every_pattern_is_in_the_table():
    """The table names no pattern that is gone (a renamed view would leave a stale rule behind)."""
    keys = {p.key for p in PATTERNS}
    assert set(EXPECTED) <= keys
    assert set(ADMIN_PAGES) <= keys
    assert {admin_model(p) for p in PATTERNS} - {None} == set(ADMIN_MODELS)
