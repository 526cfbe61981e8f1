"""Shared fixtures: a small tree, the standard users (officer, viewer, outsider, stranger, reviewer,
chair) and the demo data."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from associations.models import Association, RoleKind, Tier
from associations.services import association_create, role_grant


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_login_throttling(settings):
    """django-axes refuses `client.login()`, which authenticates without a request; its tests turn it on."""
    settings.AXES_ENABLED = False


class Tree:
    """central → cluster A → P1 (D1 → C1, C2; C3 directly), P2 (D2 → C4); central → cluster B → P3."""

    def __init__(self):
        node = association_create
        self.central = node(
            tier=Tier.CENTRAL, name="Hội Khuyến học Việt Nam", short_name="Trung ương", code="TW"
        )
        self.cluster_a = node(
            tier=Tier.CLUSTER, name="Cụm A", short_name="Cụm A", code="A", parent=self.central
        )
        self.cluster_b = node(
            tier=Tier.CLUSTER, name="Cụm B", short_name="Cụm B", code="B", parent=self.central
        )
        self.p1 = node(
            tier=Tier.PROVINCE,
            name="Hội Khuyến học tỉnh Một",
            short_name="Một",
            code="P1",
            parent=self.cluster_a,
        )
        self.p2 = node(
            tier=Tier.PROVINCE,
            name="Hội Khuyến học tỉnh Hai",
            short_name="Hai",
            code="P2",
            parent=self.cluster_a,
        )
        self.p3 = node(
            tier=Tier.PROVINCE,
            name="Hội Khuyến học tỉnh Ba",
            short_name="Ba",
            code="P3",
            parent=self.cluster_b,
        )
        self.d1 = node(
            tier=Tier.DISTRICT,
            name="Hội Khuyến học huyện Đông",
            short_name="Đông",
            code="D1",
            parent=self.p1,
        )
        self.d2 = node(
            tier=Tier.DISTRICT,
            name="Hội Khuyến học huyện Tây",
            short_name="Tây",
            code="D2",
            parent=self.p2,
        )
        self.c1 = node(
            tier=Tier.COMMUNE,
            name="Hội Khuyến học xã Bắc",
            short_name="Bắc",
            code="C1",
            parent=self.d1,
        )
        self.c2 = node(
            tier=Tier.COMMUNE,
            name="Hội Khuyến học xã Nam",
            short_name="Nam",
            code="C2",
            parent=self.d1,
        )
        self.c3 = node(
            tier=Tier.COMMUNE,
            name="Hội Khuyến học xã Trung",
            short_name="Trung",
            code="C3",
            parent=self.p1,
        )
        self.c4 = node(
            tier=Tier.COMMUNE,
            name="Hội Khuyến học xã Hạ",
            short_name="Hạ",
            code="C4",
            parent=self.d2,
        )

    def refresh(self) -> None:
        """Reload the MPTT columns, which later inserts shift."""
        for name, value in vars(self).items():
            if isinstance(value, Association):
                setattr(self, name, Association.objects.get(pk=value.pk))


@pytest.fixture
def tree(db) -> Tree:
    t = Tree()
    t.refresh()
    return t


def make_user(username: str, role: str | None = None, association: Association | None = None):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    if role:
        role_grant(user=user, association=association, role=role)
    return user


@pytest.fixture
def officer(tree):
    return make_user("officer", RoleKind.OFFICER, tree.p1)


@pytest.fixture
def viewer(tree):
    return make_user("viewer", RoleKind.VIEWER, tree.p1)


@pytest.fixture
def outsider(tree):
    """An officer of another province of the same cluster."""
    return make_user("outsider", RoleKind.OFFICER, tree.p2)


@pytest.fixture
def stranger(tree):
    """An officer of a province of another cluster (P3 in cluster B)."""
    return make_user("stranger", RoleKind.OFFICER, tree.p3)


@pytest.fixture
def reviewer(tree):
    return make_user("reviewer", RoleKind.REVIEWER, tree.central)


@pytest.fixture
def chair(tree):
    return make_user("chair", RoleKind.CHAIR, tree.cluster_a)


@pytest.fixture(scope="module")
def demo_once(django_db_setup, django_db_blocker):
    """The demo data of `make run`, loaded once for a module and rolled back after its last test.

    Each test still runs in its own savepoint (it requests `db` too), so tests cannot see each other's
    writes; and the tests that use it run after the module's others (see below), which never see it.
    """
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(DEBUG=True, PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(request, demo_once, db, settings):
    """The demo data of `make run` (tree, figures, conference, users), loaded once per module."""
    if "transactional_db" in request.fixturenames:
        pytest.fail("The demo is loaded in a transaction; a transactional test loads it itself.")
    settings.DEBUG = True  # pytest-django turns it off; the command refuses demo users without it


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Within each module, run the tests on the demo data last: it stays loaded until the module ends."""
    runs: list[list] = []
    for item in items:
        if runs and runs[-1][0].path == item.path:
            runs[-1].append(item)
        else:
            runs.append([item])
    items[:] = [item for run in runs for item in sorted(run, key=lambda i: "demo_once" in i.fixturenames)]
