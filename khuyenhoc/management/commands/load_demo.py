from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from associations.demo import CENTRAL, REFORM_YEAR, TAY_BAC, load_tree
from associations.models import Association, RoleKind, Tier
from associations.services import role_grant
from funds.demo import load_figures
from reports.demo import load_conferences

DEMO_PASSWORD = "khuyenhoc-demo"
DEMO_USERS = [
    # username, full name, role, (tier, code, a year the node is active in)
    ("hagiang", "Cán bộ Hội Khuyến học tỉnh Hà Giang", RoleKind.OFFICER, (Tier.PROVINCE, "02", 2022)),
    (
        "tuyenquang",
        "Cán bộ Hội Khuyến học tỉnh Tuyên Quang (từ 2025)",
        RoleKind.OFFICER,
        (Tier.PROVINCE, "08", REFORM_YEAR),
    ),
    ("taybac", "Cụm trưởng cụm Tây Bắc", RoleKind.CHAIR, (Tier.CLUSTER, TAY_BAC[0], 2022)),
    ("trunguong", "Cán bộ Trung ương Hội", RoleKind.REVIEWER, (Tier.CENTRAL, CENTRAL[0], 2022)),
]
# The account the demo's figures are written as, so that their history names who put them there.
# It cannot sign in; officer for the figures, reviewer for the conference record, on the central node.
SYSTEM_USERNAME = "he-thong-demo"
SYSTEM_ROLES = [RoleKind.OFFICER, RoleKind.REVIEWER]


class Command(BaseCommand):
    help = (
        "Add what is missing of the demo (tree, Tây Bắc 2022 figures, conference, users); "
        "never changes what is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full",
            action="store_true",
            help="Every district and commune of 2022 and every commune of 2025.",
        )
        parser.add_argument("--no-users", action="store_true", help="Skip the demo users.")

    def handle(self, *args, full: bool, no_users: bool, **options):
        if not no_users and not settings.DEBUG:
            raise CommandError(
                "Tài khoản demo chỉ được tạo khi DEBUG bật. Demo users are only created with DEBUG on; "
                "use --no-users in production."
            )
        with transaction.atomic():
            counts = [self._report("Cây hội", *load_tree(full=full))]
            system = self._system_user()
            counts.append(
                self._report("Báo cáo năm (Tây Bắc 2022, Hòa Bình 2021)", *self._as(system, load_figures))
            )
            counts.append(self._report("Hội nghị cụm", *self._as(system, load_conferences)))
            if not no_users:
                counts.append(self._report("Tài khoản demo", *self._users()))
        if not any(counts):
            self.stdout.write("Dữ liệu demo đã đủ, không thay đổi gì.")

    def _report(self, what: str, added: int, present: int) -> int:
        self.stdout.write(f"{what}: thêm {added}, đã có {present}.")
        return added

    def _system_user(self):
        User = get_user_model()
        user = User.objects.filter(username=SYSTEM_USERNAME).first()
        if user is None:
            user = User(username=SYSTEM_USERNAME, first_name="Hệ thống (dữ liệu demo)")
            user.set_unusable_password()
            user.full_clean()
            user.save()
            central = Association.objects.active_in(2022).filter(tier=Tier.CENTRAL, code=CENTRAL[0]).first()
            for role in SYSTEM_ROLES if central else []:
                role_grant(user=user, association=central, role=role)
        return user

    def _as(self, system, loader) -> tuple[int, int]:
        """Run one loader as the system user; skip it, saying why, if that account lost its rights."""
        try:
            with transaction.atomic():
                return loader(user=system)
        except PermissionDenied:
            self.stderr.write(
                f"Tài khoản {SYSTEM_USERNAME} không còn quyền ghi trên hội Trung ương: bỏ qua phần này."
            )
            return 0, 0

    def _users(self) -> tuple[int, int]:
        """Create the demo users that are missing; one that exists keeps its password and roles."""
        User = get_user_model()
        added = present = 0
        self.stdout.write(f"Tài khoản demo (mật khẩu ban đầu: {DEMO_PASSWORD}):")
        for username, full_name, role, (tier, code, year) in DEMO_USERS:
            if User.objects.filter(username=username).exists():
                present += 1
                self.stdout.write(f"  {username:<10} đã có, giữ nguyên mật khẩu và vai trò")
                continue
            node = Association.objects.active_in(year).filter(tier=tier, code=code).first()
            if node is None:
                continue
            user = User.objects.create_user(username, password=DEMO_PASSWORD, first_name=full_name)
            role_grant(user=user, association=node, role=role)
            added += 1
            self.stdout.write(f"  {username:<10} {role.label:<28} {node.name}")
        return added, present
