"""The README's run command, as a new user would: the embedded default serves /healthz, a signed call gets
TwiML and an unsigned one gets 403."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import call_params, sign
from tipline.config import DEMO_TWILIO_AUTH_TOKEN


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, deadline_seconds: float = 60) -> None:
    """Poll until the server answers (readiness, not timing); fail with its output if it dies."""
    end = time.monotonic() + deadline_seconds
    while time.monotonic() < end:
        if process.poll() is not None:
            pytest.fail(f"tipline run exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - a local URL
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    pytest.fail("tipline run did not come up")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TWILIO_", "TIPLINE_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update({"TIPLINE_INSTANCE_DIR": str(tmp_path / "instance"), "PORT": str(port)})
    log = tmp_path / "run.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "tipline.cli", "run"], env=env, stdout=output, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base + "/healthz", process, log)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=20)


def post(url: str, params: dict[str, str], signature: str | None) -> tuple[int, str]:
    data = urllib.parse.urlencode(params).encode()
    request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310 - a local URL
    if signature is not None:
        request.add_header("X-Twilio-Signature", signature)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_tipline_run_serves_the_embedded_default(served: str) -> None:
    url = served + "/twilio/voice"
    params = call_params()
    status, body = post(url, params, sign(url, params, DEMO_TWILIO_AUTH_TOKEN))
    assert status == 200
    assert body.startswith("<?xml") and "<Response>" in body
    unsigned_status, _ = post(url, call_params("CA" + "9" * 32), None)
    assert unsigned_status == 403
