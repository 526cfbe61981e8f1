from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "funds"
    verbose_name = _("Số liệu quỹ")

    def ready(self):
        # The tree cannot know about approved returns (associations does not import funds), so the
        # rule that keeps an approved year's totals is handed to it here.
        from associations.services import register_tree_change_guard

        from .tree_edits import refuse_changes_to_approved_totals

        register_tree_change_guard(refuse_changes_to_approved_totals)
