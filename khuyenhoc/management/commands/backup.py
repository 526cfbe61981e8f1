from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from khuyenhoc import backups


class Command(BaseCommand):
    help = (
        "Back up the configured database (PostgreSQL: pg_dump custom format; SQLite: online backup) "
        "and MEDIA_ROOT (issued reports) beside it."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="Where to write; default BACKUP_DIR/khuyenhoc-<time>.")
        parser.add_argument("--no-media", action="store_true", help="Skip the MEDIA_ROOT archive.")

    def handle(self, *args, path: str | None, no_media: bool, **options):
        target = Path(path) if path else backups.default_path()
        try:
            backups.backup_database(target)
            archive = None if no_media else backups.backup_media(target)
        except backups.BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"Cơ sở dữ liệu: {target}")
        if archive:
            self.stdout.write(f"Tệp (MEDIA_ROOT): {archive}")
