from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssociationsConfig(AppConfig):
    name = "associations"
    verbose_name = _("Hệ thống hội")

    def ready(self):
        from . import signals  # noqa: F401
