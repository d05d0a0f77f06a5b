"""The shipped proxy setup keeps the join limit: a forged X-Forwarded-For names no other client."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

from tests.deploy.conftest import Cluster
from tests.servers import ROOT

WRONG_CODE = "ZZZZZZ"  # a code no class has
LIMIT = 10  # NEUROPLAY_MAX_JOIN_FAILURES_PER_MINUTE's default


def qr_status(cluster: Cluster, forged: str) -> int:
    """Ask for the QR code of a wrong class code through nginx, claiming to be ``forged``; the HTTP status."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{cluster.nginx.port}/neuroplay/api/rooms/{WRONG_CODE}/qr.svg?tab=one-tab",
        headers={"X-Forwarded-For": forged})  # ?tab=: one replica, whose window counts the failures
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_forged_forwarded_for_headers_do_not_escape_the_join_limit(own_cluster: Cluster) -> None:
    # 203.0.113.0/24 is the documentation range: only header text, no traffic goes there
    statuses = [qr_status(own_cluster, f"203.0.113.{index}") for index in range(LIMIT + 5)]
    assert statuses[:LIMIT] == [404] * LIMIT
    assert statuses[LIMIT:] == [429] * 5  # the proxy's own view of the client counts, not the header


def test_the_replicas_trust_forwarded_headers_from_the_proxy_alone() -> None:
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    trusted = re.search(r"^\s*FORWARDED_ALLOW_IPS:\s*(\S+)", compose, re.MULTILINE)
    proxy = re.search(r"^\s*ipv4_address:\s*(\S+)", compose, re.MULTILINE)
    assert trusted and proxy and trusted.group(1) == proxy.group(1)
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert not re.search(r"^\s*proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for", nginx, re.MULTILINE)
    assert re.search(r"^\s*proxy_set_header X-Forwarded-For \$remote_addr;", nginx, re.MULTILINE)
