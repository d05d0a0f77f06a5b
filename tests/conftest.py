"""Settings every test shares: the hypothesis profile of the fuzz suites, and a real redis-server.

The normal run tries NEUROPLAY_FUZZ_EXAMPLES examples per property (60 unless set); ``make fuzz``
raises it for a long run. No deadline: a shared 2-core machine makes example times noisy.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.servers import RedisServer

# Servers the tests start keep no runs across restarts unless a test asks (tests/live/test_restart.py):
# the tests' many servers must not share, or leave behind, a store of runs.
os.environ.setdefault("NEUROPLAY_KEEP_RUNS", "false")
FUZZ_EXAMPLES = int(os.environ.get("NEUROPLAY_FUZZ_EXAMPLES", "60"))  # examples per property

settings.register_profile(
    "neuroplay", max_examples=FUZZ_EXAMPLES, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("neuroplay")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One redis-server for the whole run (tests that stop it start it again on the same port)."""
    server = RedisServer(Path(tmp_path_factory.mktemp("redis")))
    server.start()
    yield server
    server.stop()
