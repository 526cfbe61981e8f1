"""Shared fixtures: a small tree, the standard users (officer, viewer, outsider, stranger, reviewer,
chair) and the demo data."""

import io

import pytest
from django.contrib.auth import get_user_model

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


@pytest.fixture
def demo(db, settings):
    """The demo data of `make run` (tree, figures, conference, users)."""
    from django.core.management import call_command

    settings.DEBUG = True  # pytest-django turns it off; the command refuses demo users without it
    call_command("load_demo", stdout=io.StringIO())
