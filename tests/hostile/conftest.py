"""Hypothesis for the hostile-input tests: one deterministic profile for CI, a rollback per example.

Every test here takes its case count from `support.cases(n)`; HYPOTHESIS_PROFILE=deep multiplies them by ten
for a longer run by hand. The "ci" profile is derandomized, so a failure in CI fails the same way on
a laptop, and keeps no example database in the checkout.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("deep", derandomize=False, database=None, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
