from django.apps import AppConfig


class KhuyenhocConfig(AppConfig):
    name = "khuyenhoc"
    verbose_name = "khuyenhoc"

    def ready(self):
        from . import signals  # noqa: F401
