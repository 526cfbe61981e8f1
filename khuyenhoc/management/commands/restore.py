from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from associations.data_version import restart_data_version
from khuyenhoc import backups


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the configured database, replacing its "
        "contents, and unpack the MEDIA_ROOT archive beside it if there is one."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, path: str, yes: bool, **options):
        source = Path(path)
        if not yes and input(f"Thay toàn bộ dữ liệu hiện có bằng {source}? [y/N] ").strip().lower() != "y":
            raise CommandError("Đã huỷ.")
        try:
            backups.restore_database(source)
            restart_data_version()
            archive = backups.restore_media(source)
        except backups.BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"Đã phục hồi cơ sở dữ liệu từ {source}.")
        if archive:
            self.stdout.write(f"Đã phục hồi tệp từ {archive}.")
