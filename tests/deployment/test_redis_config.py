"""The shipped Redis configuration bounds the cache: a memory limit, and the least
recently used keys evicted when it is reached, so that no visitor can fill it."""

import shutil
import subprocess
import time
from pathlib import Path

import pytest
import redis

from tests.support.servers import free_port

CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "redis.conf"


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs Debian's redis-server")
def test_the_shipped_redis_configuration_evicts_old_keys_at_its_memory_limit(tmp_path):
    port = free_port()
    # The shipped file, with a limit small enough to reach in a test.
    server = subprocess.Popen(
        ["redis-server", str(CONFIG), "--port", str(port), "--dir", str(tmp_path),
         "--maxmemory", "8mb"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        client = redis.Redis(port=port)
        for _ in range(50):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
        assert CONFIG.read_text().count("maxmemory 512mb") == 1
        page = b"x" * 100_000
        for number in range(400):  # 40 MB of pages into 8 MB
            client.set(f"page:{number}", page)
        assert client.info("memory")["used_memory"] <= 9 * 1024 * 1024
        assert client.get("page:399") == page
        assert client.get("page:0") is None
    finally:
        server.terminate()
        server.wait(timeout=10)
