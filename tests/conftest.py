"""Settings every test shares: the hypothesis profile of the fuzz suites.

The normal run tries NEUROPLAY_FUZZ_EXAMPLES examples per property (60 unless set); ``make fuzz``
raises it for a long run. No deadline: a shared 2-core machine makes example times noisy.
"""

import os

from hypothesis import HealthCheck, settings

FUZZ_EXAMPLES = int(os.environ.get("NEUROPLAY_FUZZ_EXAMPLES", "60"))  # examples per property

settings.register_profile(
    "neuroplay", max_examples=FUZZ_EXAMPLES, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("neuroplay")
