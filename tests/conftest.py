"""Shared fixtures: a small tree, the standard users (officer, viewer, outsider, stranger, reviewer,
chair) and the demo data."""

import io
import itertools
from collections import defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max
from django.test import override_settings

from associations.models import Association, RoleKind, Tier, sort_key_for
from associations.services import association_create, role_grant


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Tasks run inside the request that enqueues them (a real backend, with no worker to start);
    tests/funds/test_import_jobs.py runs them through the database backend's worker and RQ."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _jobs_dir(settings, tmp_path):
    """Built files (funds/file_jobs.py) go to the test's own directory."""
    settings.JOBS_DIR = str(tmp_path / "jobs")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with no cached figures: a test's data version repeats the last test's (rolled
    back), and the pinned query counts are of a first, uncached read."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_login_throttling(settings):
    """django-axes refuses `client.login()`, which authenticates without a request; its tests turn it on."""
    settings.AXES_ENABLED = False


# attribute, tier, name, short name, code, parent attribute: parents first, as they are inserted.
NODES = [
    ("central", Tier.CENTRAL, "Hội Khuyến học Việt Nam", "Trung ương", "TW", None),
    ("cluster_a", Tier.CLUSTER, "Cụm A", "Cụm A", "A", "central"),
    ("cluster_b", Tier.CLUSTER, "Cụm B", "Cụm B", "B", "central"),
    ("p1", Tier.PROVINCE, "Hội Khuyến học tỉnh Một", "Một", "P1", "cluster_a"),
    ("p2", Tier.PROVINCE, "Hội Khuyến học tỉnh Hai", "Hai", "P2", "cluster_a"),
    ("p3", Tier.PROVINCE, "Hội Khuyến học tỉnh Ba", "Ba", "P3", "cluster_b"),
    ("d1", Tier.DISTRICT, "Hội Khuyến học huyện Đông", "Đông", "D1", "p1"),
    ("d2", Tier.DISTRICT, "Hội Khuyến học huyện Tây", "Tây", "D2", "p2"),
    ("c1", Tier.COMMUNE, "Hội Khuyến học xã Bắc", "Bắc", "C1", "d1"),
    ("c2", Tier.COMMUNE, "Hội Khuyến học xã Nam", "Nam", "C2", "d1"),
    ("c3", Tier.COMMUNE, "Hội Khuyến học xã Trung", "Trung", "C3", "p1"),
    ("c4", Tier.COMMUNE, "Hội Khuyến học xã Hạ", "Hạ", "C4", "d2"),
]


class Tree:
    """central → cluster A → P1 (D1 → C1, C2; C3 directly), P2 (D2 → C4); central → cluster B → P3.

    Almost every test makes one, and node by node through association_create it took some 170
    queries; so it is inserted one tier at a time with the MPTT columns that mptt itself gives
    (siblings in sort-key order). tests/test_conftest.py checks that both ways build the same tree.
    """

    def __init__(self, *, through_services: bool = False):
        if through_services:
            for attr, tier, name, short_name, code, parent in NODES:
                parent = getattr(self, parent) if parent else None
                node = association_create(
                    tier=tier, name=name, short_name=short_name, code=code, parent=parent
                )
                setattr(self, attr, node)
            return
        nodes = {
            attr: Association(
                tier=tier, name=name, short_name=short_name, code=code, sort_key=sort_key_for(short_name)
            )
            for attr, tier, name, short_name, code, _parent in NODES
        }
        children = defaultdict(list)
        for attr, *_rest, parent in NODES:
            if parent:
                nodes[attr].parent = nodes[parent]
                children[parent].append(attr)
        tree_id = (Association.objects.aggregate(last=Max("tree_id"))["last"] or 0) + 1
        counter = itertools.count(1)

        def number(attr: str, level: int) -> None:
            node = nodes[attr]
            node.tree_id, node.level, node.lft = tree_id, level, next(counter)
            for child in sorted(children[attr], key=lambda a: nodes[a].sort_key):
                number(child, level + 1)
            node.rght = next(counter)

        number("central", 0)
        for _tier, group in itertools.groupby(NODES, key=lambda row: row[1]):
            Association.objects.bulk_create([nodes[attr] for attr, *_rest in group])
        for attr, node in nodes.items():
            setattr(self, attr, node)

    def refresh(self) -> None:
        """Reload the MPTT columns, which later inserts shift (one query)."""
        nodes = {name: value for name, value in vars(self).items() if isinstance(value, Association)}
        fresh = Association.objects.in_bulk([node.pk for node in nodes.values()])
        for name, node in nodes.items():
            setattr(self, name, fresh[node.pk])


@pytest.fixture
def tree(db) -> Tree:
    t = Tree()
    t.refresh()
    return t


class TwoEras:
    """The small tree reformed in 2025: P1 and P2 (with their districts and communes) end in 2024 and
    merge into "Một Hai", which carries P1's code and has a commune (code C1, reused) directly under it;
    P3 and the clusters go on unchanged."""

    def __init__(self, tree: Tree):
        from associations.models import Succession

        old = [tree.p1, tree.p2, tree.d1, tree.d2, tree.c1, tree.c2, tree.c3, tree.c4]
        Association.objects.filter(pk__in=[n.pk for n in old]).update(active_until=2024)
        self.merged = association_create(
            tier=Tier.PROVINCE,
            name="Hội Khuyến học tỉnh Một Hai",
            short_name="Một Hai",
            code=tree.p1.code,
            parent=tree.cluster_a,
            active_from=2025,
        )
        self.commune = association_create(
            tier=Tier.COMMUNE,
            name="Hội Khuyến học xã Bắc Mới",
            short_name="Bắc Mới",
            code=tree.c1.code,
            parent=self.merged,
            active_from=2025,
        )
        Succession.objects.bulk_create(
            [
                Succession(predecessor=tree.p1, successor=self.merged),
                Succession(predecessor=tree.p2, successor=self.merged),
                Succession(predecessor=tree.c1, successor=self.commune),
            ]
        )
        tree.refresh()
        self.merged.refresh_from_db()
        self.commune.refresh_from_db()


@pytest.fixture
def two_eras(tree) -> TwoEras:
    return TwoEras(tree)


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
