import logging
import platform
from datetime import UTC, datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test.utils import setup_databases, teardown_databases

from khuyenhoc import bench


class Command(BaseCommand):
    help = (
        "Time the main pages against their bare SQL at demo and national size (a throw-away test database)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=["demo", "national", "both"], default="both")
        parser.add_argument("--repeat", type=int, default=15, help="Requests per page (default 15).")
        parser.add_argument(
            "--json", default="bench.json", help="Where to write the results (default bench.json)."
        )

    def handle(self, *args, size, repeat, json, **options):
        # django-axes logs every sign-in of the test client; the table is what this command is for.
        logging.getLogger("axes").setLevel(logging.WARNING)
        sizes = ["demo", "national"] if size == "both" else [size]
        vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        report = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.node()} {platform.machine()} {platform.python_version()}",
            "database": vendor,
            "runs": [],
        }
        results = []
        for each in sizes:
            # The test runner's own machinery: a database of its own (test_…), removed afterwards.
            old = setup_databases(verbosity=0, interactive=False)
            try:
                counts, measured = bench.run(each, repeat, self.stdout.write)
            finally:
                teardown_databases(old, verbosity=0)
            report["runs"].append({"size": each, **counts})
            results += measured
            self.stdout.write(bench.table(measured))
        report["results"] = bench.as_json(results)
        with open(json, "w") as out:
            out.write(__import__("json").dumps(report, ensure_ascii=False, indent=1))
        self.stdout.write(f"\n{bench.table(results)}\n\nwritten to {json}")
