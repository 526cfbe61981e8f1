import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from associations.models import Association, Tier
from funds.models import AnnualReturn
from khuyenhoc import loadtest
from reports.models import ClusterConference


class Command(BaseCommand):
    help = (
        "Mixed readers and writers against a running server (see `make load`), then a check of every write."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8765")
        parser.add_argument("--duration", type=int, default=30, help="Seconds of load (default 30).")
        parser.add_argument("--readers", type=int, default=12)
        parser.add_argument("--writers", type=int, default=4, help="Two writers share each return.")

    def handle(self, *args, url, duration, readers, writers, **options):
        if not url.startswith(("http://127.", "http://localhost")):
            raise CommandError("Loopback only: --url must be http://127.x.x.x or http://localhost.")
        tay_bac = Association.objects.get(tier=Tier.CLUSTER, code="CUM01")
        ha_giang = Association.objects.active_in(2022).get(tier=Tier.PROVINCE, code="02")
        conference = ClusterConference.objects.get(cluster=tay_bac, year=2022)
        pages = {
            "trunguong": [
                ("home", reverse("home")),
                ("rankings provinces", reverse("rankings") + "?nam=2022"),
                ("rankings clusters", reverse("rankings") + "?nam=2022&pham_vi=clusters"),
                # The year the writers write: its cached pieces go cold at every save.
                ("rankings provinces 2025", reverse("rankings") + "?nam=2025"),
                ("completeness", reverse("completeness") + "?nam=2022"),
                ("review queue", reverse("review_list") + "?nam=2022"),
            ],
            "taybac": [
                ("cluster report", reverse("conference_report", args=[conference.pk])),
                ("association page", reverse("association_detail", args=[tay_bac.pk]) + "?nam=2022"),
            ],
            "hagiang": [
                ("association page", reverse("association_detail", args=[ha_giang.pk]) + "?nam=2022"),
                ("entry form (GET)", reverse("return_edit", args=[ha_giang.pk, 2022])),
            ],
        }
        targets = [
            (r.pk, r.year, reverse("return_edit", args=[r.association_id, r.year]))
            for r in AnnualReturn.objects.filter(
                association__tier=Tier.COMMUNE,
                association__parent__code="08",
                year=2025,
                status=AnnualReturn.Status.DRAFT,
            ).order_by("pk")[: max(1, writers // 2)]
        ]
        if not targets:
            raise CommandError(
                "No draft commune return of Tuyên Quang for 2025 to write to: run load_demo first."
            )
        results = loadtest.Results()
        users = list(pages)
        readers_of = [users[i % len(users)] for i in range(readers)]
        sessions = [loadtest.signed_in(url, username, results) for username in readers_of]
        writing = [loadtest.signed_in(url, "tuyenquang", results) for _ in range(writers)]
        if None in sessions or None in writing:
            raise CommandError("A demo user could not sign in: see the errors above.")
        sign_ins = results.timings.pop("sign in")
        started = time.perf_counter()
        until = started + duration
        threads = [
            threading.Thread(target=loadtest.reader, args=(session, pages[username], until, results))
            for session, username in zip(sessions, readers_of, strict=True)
        ]
        # Two writers per return, started together: their saves collide, as two officers' would.
        threads += [
            threading.Thread(
                target=loadtest.writer, args=(session, [targets[i // 2 % len(targets)]], until, results, i)
            )
            for i, session in enumerate(writing)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        final = dict(
            AnnualReturn.objects.filter(pk__in=[t[0] for t in targets]).values_list("pk", "population")
        )
        lost, overwritten = loadtest.check_writes(results.acknowledged, final)
        self.stdout.write(
            f"{len(sign_ins)} sessions signed in before the clock, median {sorted(sign_ins)[len(sign_ins) // 2]:.0f} ms"
        )
        self.stdout.write(loadtest.summary(results, elapsed))
        self.stdout.write(
            f"writes: {len(results.acknowledged)} acknowledged, {results.refused} refused as conflicts, "
            f"{lost} lost, {overwritten} silently overwritten"
        )
        if lost or overwritten or sum(results.errors.values()) or not results.acknowledged:
            raise CommandError("errors, lost or overwritten writes: see above")
