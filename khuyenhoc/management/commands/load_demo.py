from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from associations.demo import CENTRAL, TAY_BAC, load_tree
from associations.models import Association, RoleKind, Tier

DEMO_PASSWORD = "khuyenhoc-demo"
DEMO_USERS = [
    # username, full name, role, (tier, code) of the node
    ("hagiang", "Cán bộ Hội Khuyến học tỉnh Hà Giang", RoleKind.OFFICER, (Tier.PROVINCE, "02")),
    ("taybac", "Cụm trưởng cụm Tây Bắc", RoleKind.CHAIR, (Tier.CLUSTER, TAY_BAC[0])),
    ("trunguong", "Cán bộ Trung ương Hội", RoleKind.REVIEWER, (Tier.CENTRAL, CENTRAL[0])),
]


class Command(BaseCommand):
    help = "Load the demo tree, the Tây Bắc 2022 figures and the demo users. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Every district and commune of 2022.")
        parser.add_argument("--no-users", action="store_true", help="Skip the demo users.")

    def handle(self, *args, full: bool, no_users: bool, **options):
        if not no_users and not settings.DEBUG:
            raise CommandError(
                "Tài khoản demo chỉ được tạo khi DEBUG bật. Demo users are only created with DEBUG on; "
                "use --no-users in production."
            )
        with transaction.atomic():
            created = load_tree(full=full)
            self.stdout.write(f"Cây hội: thêm {created} hội, tổng {Association.objects.count()}.")
            from funds.demo import load_figures

            load_figures()
            self.stdout.write("Số liệu năm 2022 của cụm Tây Bắc (và năm 2021 của Hòa Bình): đã nạp.")
            from reports.demo import load_conferences

            load_conferences()
            if not no_users:
                self._users()

    def _users(self):
        User = get_user_model()
        self.stdout.write(f"Tài khoản demo (mật khẩu: {DEMO_PASSWORD}):")
        for username, full_name, role, (tier, code) in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username, defaults={"first_name": full_name})
            user.set_password(DEMO_PASSWORD)
            user.save()
            node = Association.objects.active_in(2022).get(tier=tier, code=code)
            user.roles.get_or_create(association=node, role=role)
            self.stdout.write(f"  {username:<10} {role.label:<28} {node.name}")
