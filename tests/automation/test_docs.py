"""The signature checks printed in docs/integrations/webhooks.md accept real deliveries and
reject tampered ones (Python in-process, Node.js with the system ``node``)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from okno.automation import actions

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "integrations" / "webhooks.md"


def code_block(language: str, marker: str) -> str:
    for block in re.findall(rf"```{language}\n(.*?)```", GUIDE.read_text(), flags=re.S):
        if marker in block:
            return block
    raise AssertionError(f"no {language} block with {marker} in {GUIDE}")


@pytest.fixture
def delivered(admin, receiver):
    """A real ping delivered to the receiver: (secret, headers, raw body)."""
    subscription, secret = actions.create_subscription(
        actor=admin, name="Docs", url=receiver.url, event_types=["ticket.created"]
    )
    actions.send_test_delivery(subscription, actor=admin)
    request = receiver.requests[0]
    return secret, request.headers, request.body


def test_the_python_snippet_verifies_a_real_delivery(delivered):
    namespace: dict = {}
    exec(code_block("python", "def verify_okno_signature"), namespace)  # noqa: S102 - our own docs
    verify = namespace["verify_okno_signature"]
    secret, headers, body = delivered
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body + b" ")
    assert not verify("whsec_other", headers, body)
    stale = dict(headers, **{"X-Okno-Timestamp": str(int(headers["X-Okno-Timestamp"]) - 3600)})
    assert not verify(secret, stale, body)


def test_the_node_snippet_verifies_a_real_delivery(delivered, tmp_path):
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is not installed (apt-get install nodejs)")
        pytest.skip("node is not installed")
    secret, headers, body = delivered
    (tmp_path / "okno-signature.js").write_text(code_block("js", "function verifyOknoSignature"))
    (tmp_path / "body.bin").write_bytes(body)
    lowered = {name.lower(): value for name, value in headers.items()}
    (tmp_path / "check.js").write_text(
        """
const fs = require("node:fs");
const { verifyOknoSignature } = require("./okno-signature");
const [secret, headersJson] = process.argv.slice(2);
const headers = JSON.parse(headersJson);
const body = fs.readFileSync(__dirname + "/body.bin");
const results = [
  verifyOknoSignature(secret, headers, body),
  verifyOknoSignature(secret, headers, Buffer.concat([body, Buffer.from(" ")])),
  verifyOknoSignature("whsec_other", headers, body),
  verifyOknoSignature(secret, { ...headers, "x-okno-timestamp": "1" }, body),
];
console.log(JSON.stringify(results));
"""
    )
    result = subprocess.run(
        [node, str(tmp_path / "check.js"), secret, json.dumps(lowered)],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert json.loads(result.stdout) == [True, False, False, False]
