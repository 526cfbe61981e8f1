"""Fixtures for the yearly figures: returns in any state, logged-in clients, a database snapshot."""

import os

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from associations.models import RoleKind
from associations.services import role_grant
from funds.models import AnnualReturn, Fund, FundBalance, Scholarship, Transfer

YEAR = 2023


@pytest.fixture
def login(db):
    """A new client signed in as `user`; several can be open at once, like two browsers."""

    def _login(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def officer_client(officer, login):
    """A client signed in as the officer of P1."""
    return login(officer)


@pytest.fixture
def make_return(db):
    """An AnnualReturn written straight to the database (no service, no history user)."""

    def _make(association, year: int = YEAR, **values) -> AnnualReturn:
        if values.get("status") == AnnualReturn.Status.APPROVED:
            values.setdefault("approved_at", timezone.now())
        return AnnualReturn.objects.create(association=association, year=year, **values)

    return _make


@pytest.fixture
def draft(tree, make_return):
    """P1's return for YEAR, still a draft."""
    return make_return(tree.p1, population=1_000_000, mobilised_cash=40_000_000_000)


@pytest.fixture
def submitted(tree, make_return):
    return make_return(
        tree.p1, population=1_000_000, mobilised_cash=40_000_000_000, status=AnnualReturn.Status.SUBMITTED
    )


@pytest.fixture
def approved(tree, make_return):
    return make_return(
        tree.p1, population=1_000_000, mobilised_cash=40_000_000_000, status=AnnualReturn.Status.APPROVED
    )


@pytest.fixture
def attachments(tree):
    """P1's fund balance, scholarship and received transfer for YEAR."""
    fund = Fund.objects.create(association=tree.p1, name="Quỹ Một", kind=Fund.Kind.NAMED)
    return {
        "fund": fund,
        "balance": FundBalance.objects.create(fund=fund, year=YEAR, balance=1_000_000),
        "scholarship": Scholarship.objects.create(
            association=tree.p1, year=YEAR, programme="Học bổng Một", awards=3, total_value=9_000_000
        ),
        "transfer": Transfer.objects.create(
            recipient=tree.p1, year=YEAR, giver=tree.central, amount=5_000_000, purpose="Hỗ trợ"
        ),
    }


@pytest.fixture
def officer2(tree, django_user_model):
    """A second officer of P1, editing the same returns as `officer`."""
    user = django_user_model.objects.create_user("officer2", password="pw-officer2")
    role_grant(user=user, association=tree.p1, role=RoleKind.OFFICER)
    return user


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "pw-admin")


@pytest.fixture
def edit_url(tree):
    """The entry page of P1 (or another node) for YEAR."""

    def _url(association=None, year: int = YEAR) -> str:
        return reverse("return_edit", args=[(association or tree.p1).pk, year])

    return _url


@pytest.fixture
def snapshot(db):
    """Everything the entry form can write, and the history, as comparable values."""

    def _snapshot():
        models = [AnnualReturn, Fund, FundBalance, Scholarship, Transfer]
        return {
            model.__name__: (
                list(model.objects.order_by("pk").values()),
                model.history.count(),
            )
            for model in models
        }

    return _snapshot


# The suite's Redis (CI runs one on 127.0.0.1:6379): a database per test process, since the queue's
# name is the same in every process; TEST_REDIS_URL's database is the first one.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
RQ_BACKEND = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


@pytest.fixture
def redis_queue(settings, worker_id):
    """The RQ backend on the suite's Redis, its queue empty before and after; skips without Redis."""
    redis = pytest.importorskip("redis")
    import django_rq

    base, _, first = TEST_REDIS_URL.rpartition("/")
    url = f"{base}/{int(first) + (int(worker_id[2:]) if worker_id.startswith('gw') else 0)}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as exc:
        pytest.skip(f"Redis at {url} is unreachable ({exc}); the RQ backend is not tried")
    settings.RQ_QUEUES = {"default": {"URL": url, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = RQ_BACKEND
    queue = django_rq.get_queue("default")
    queue.empty()
    yield queue
    queue.empty()


def rq_work() -> None:
    """`manage.py rqworker default --job-class django_tasks_rq.Job --burst`, in this process."""
    import django_rq

    django_rq.get_worker(
        "default", job_class="django_tasks_rq.Job", worker_class="rq.worker.SimpleWorker"
    ).work(burst=True)
