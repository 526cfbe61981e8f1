from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from associations.data_version import bump_data_version
from associations.demo import (
    CENTRAL,
    CLUSTERS,
    ILLUSTRATIVE_CLUSTERS,
    ILLUSTRATIVE_CLUSTERS_2025,
    REFORM_YEAR,
    TAY_BAC,
    load_tree,
)
from associations.models import Association, RoleKind, Tier
from associations.services import role_grant
from funds.demo import load_figures
from funds.demo_illustrative import load_illustrative_figures
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


def _clusters(codes: set[str]) -> str:
    return ", ".join(short for code, _name, short, *_ in CLUSTERS if code in codes)


# What a reader of the demo must know: which of it is real.
ABOUT = "\n".join(
    [
        "Số liệu thật: bài báo về hội nghị cụm Tây Bắc năm 2022 (và mức tăng của Hòa Bình so với 2021).",
        "Số liệu minh họa, ghi rõ trong phần ghi chú của từng báo cáo: năm 2023, 2024 của các tỉnh cũ cụm "
        "Tây Bắc, Bắc Trung Bộ và Vĩnh Phúc; năm 2025 của các tỉnh mới hai cụm đó và một số xã, phường "
        "của Tuyên Quang; các hội nghị cụm sau năm 2022, trừ những gì đã công bố (nơi đăng cai của cụm Tây Bắc năm "
        "2023, 2024; ngày, nơi họp của cụm Bắc Trung Bộ năm 2025).",
        f"Cách chia cụm minh họa: đến 2024 các cụm {_clusters(ILLUSTRATIVE_CLUSTERS)}; từ 2025 các cụm "
        f"{_clusters(ILLUSTRATIVE_CLUSTERS_2025)}.",
        "Mặc định chỉ nạp huyện, xã của cụm Tây Bắc (2022) và xã của các tỉnh mới cụm Tây Bắc, Bắc Trung Bộ "
        "(2025); --full nạp mọi huyện, xã năm 2022 và mọi xã năm 2025.",
    ]
)


class Command(BaseCommand):
    help = (
        "Add what is missing of the demo (both trees, the Tây Bắc 2022 figures, illustrative figures for "
        "2023-2025, conferences, users); never changes what is stored."
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
            counts = [self._report("Cây hội (2022-2024: 63 tỉnh; từ 2025: 34 tỉnh)", *load_tree(full=full))]
            system = self._system_user()
            counts.append(
                self._report("Báo cáo năm (Tây Bắc 2022, Hòa Bình 2021)", *self._as(system, load_figures))
            )
            counts.append(
                self._report(
                    "Báo cáo năm minh họa (2023-2025, Tây Bắc và Bắc Trung Bộ)",
                    *self._as(system, load_illustrative_figures),
                )
            )
            counts.append(
                self._report(
                    "Hội nghị cụm (Tây Bắc 2022-2025, Bắc Trung Bộ 2025)", *self._as(system, load_conferences)
                )
            )
            if not no_users:
                counts.append(self._report("Tài khoản demo", *self._users()))
            # The tree and parts of the figures go in by bulk writes, outside the write services.
            bump_data_version()
        if full and any(counts):
            # Thousands of rows just arrived: fresh statistics, or the first reads plan for empty tables.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        if not any(counts):
            self.stdout.write("Dữ liệu demo đã đủ, không thay đổi gì.")
        self.stdout.write(ABOUT)

    def _report(self, what: str, added: int, present: int, skipped: int = 0) -> int:
        line = f"{what}: thêm {added}, đã có {present}"
        if skipped:
            line += f", bỏ qua {skipped} (lệch quá 5 lần so với năm trước đã sửa)"
        self.stdout.write(line + ".")
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
