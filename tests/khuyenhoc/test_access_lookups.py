"""No view looks a tree object up without the access policy (DESIGN.md "Who may do what").

A view reaches the associations and the rows that hang off them only through the policy: the
helpers of the access modules (`get_association_for_user`, `get_return_for_user`, ...) or a scoping
queryset method (`visible_to`, `with_perm`, `editable_by`, `reviewable_by`). A bare
`AnnualReturn.objects.filter(...)` or `get_object_or_404(Association, ...)` in a view is unscoped.
Relations followed from an object the policy handed out (`association.returns`) stay in scope.
"""

import ast
import importlib
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parents[2]
APPS = ("associations", "funds", "reports", "khuyenhoc")
SCOPED_MODELS = {
    "Association",
    "Role",
    "AnnualReturn",
    "Fund",
    "FundBalance",
    "Scholarship",
    "Transfer",
    "ClusterConference",
}
SCOPING = {"visible_to", "with_perm", "editable_by", "reviewable_by"}
MANAGERS = {"objects", "_default_manager", "_base_manager", "_tree_manager"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}
# (module, line of code) → why the lookup is safe. Keep it short; every entry must still be needed.
ALLOWED: dict[tuple[str, str], str] = {
    ("khuyenhoc.account_views", "Role.objects.select_related"): "prefetches the roles of users already"
    " in the reviewer's care (users_within)",
}


def _callbacks(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _callbacks(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def view_modules() -> dict[str, Path]:
    """Modules that define views: every *views.py of the apps, and the module of every routed view."""
    names = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for app in APPS
        for path in (ROOT / app).rglob("*views.py")
    }
    names |= {
        callback.__module__
        for callback in _callbacks(get_resolver().url_patterns)
        if callback.__module__.split(".")[0] in APPS
    }
    return {name: Path(importlib.import_module(name).__file__) for name in names}


def direct_lookups(source: str) -> list[tuple[int, str]]:
    """(line, code) of each lookup of a scoped model that bypasses the policy."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        is_manager = (
            isinstance(node, ast.Attribute)
            and node.attr in MANAGERS
            and isinstance(node.value, ast.Name)
            and node.value.id in SCOPED_MODELS
        )
        if is_manager:
            parent = parents.get(node)
            if not (isinstance(parent, ast.Attribute) and parent.attr in SCOPING):
                found.append((node.lineno, ast.get_source_segment(source, parents.get(node, node))))
        is_shortcut = (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) in SHORTCUTS
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in SCOPED_MODELS
        )
        if is_shortcut:
            found.append((node.lineno, ast.get_source_segment(source, node)))
    return sorted(found)


def _violations() -> dict[tuple[str, str], int]:
    return {
        (name, code): line
        for name, path in view_modules().items()
        for line, code in direct_lookups(path.read_text())
    }


def test_it_finds_every_module_that_defines_views():
    assert {
        "khuyenhoc.views",
        "funds.views",
        "funds.import_views",
        "reports.views",
        "reports.ranking_views",
    } <= set(view_modules())


def test_no_view_looks_up_a_tree_object_without_the_policy():
    unscoped = {key: line for key, line in _violations().items() if key not in ALLOWED}
    assert not unscoped, (
        "Look these up through the access modules or a visible_to()-style method: "
        + "; ".join(f"{module}:{line} {code}" for (module, code), line in sorted(unscoped.items()))
    )


def test_the_allow_list_holds_only_lookups_that_still_exist():
    assert set(ALLOWED) <= set(_violations())


def test_it_catches_direct_lookups_and_lets_scoped_ones_through():
    source = """
from django.shortcuts import get_object_or_404, get_list_or_404

def view(request, pk):
    a = get_object_or_404(Association, pk=pk)
    b = AnnualReturn.objects.filter(pk=pk).first()
    c = Fund._default_manager.get(pk=pk)
    d = shortcuts.get_list_or_404(Scholarship, year=2022)
    e = Transfer.objects
    f = AnnualReturn.objects.visible_to(request.user).get(pk=pk)
    g = Association.objects.with_perm(request.user, "review").exists()
    h = request.user.roles.all()
"""
    assert sorted(line for line, _code in direct_lookups(source)) == [5, 6, 7, 8, 9]
