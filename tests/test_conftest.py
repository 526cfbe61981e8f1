"""The fixtures stand for what the code builds: the small tree is the one the services would make."""

from django.db import transaction

from associations.models import Association

from .conftest import Tree


def _built(**kwargs) -> tuple[dict, list[str]]:
    """Each node's columns (parent by name) and the insertion order, then the database as it was."""
    savepoint = transaction.savepoint()
    tree = Tree(**kwargs)
    tree.refresh()
    names = {node.pk: name for name, node in vars(tree).items() if isinstance(node, Association)}
    columns = {
        names[node.pk]: (
            node.tier,
            node.name,
            node.short_name,
            node.code,
            node.sort_key,
            node.tree_id,
            node.lft,
            node.rght,
            node.level,
            names.get(node.parent_id),
        )
        for node in Association.objects.all()
    }
    order = [names[pk] for pk in sorted(names)]
    transaction.savepoint_rollback(savepoint)
    return columns, order


def test_it_builds_the_tree_the_services_build(db):
    assert _built() == _built(through_services=True)


def test_it_builds_the_tree_in_a_handful_of_queries(db, django_assert_num_queries):
    # 1 the last tree id, 2-6 one insert per tier, 7 the reload
    with django_assert_num_queries(7):
        Tree().refresh()
