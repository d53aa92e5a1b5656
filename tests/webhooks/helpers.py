"""What the webhook tests share: making a subscription, and a receiver's own check of the
Standard Webhooks signature, written from the specification, not from the server's code."""

import base64
import hashlib
import hmac
from typing import Any

from fastapi.testclient import TestClient

from tests.webhooks.conftest import Received


def subscribe(client: TestClient, url: str, **fields: Any) -> dict[str, Any]:
    response = client.post("/v1/subscriptions", json={"url": url, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def verify(secret: str, received: Received) -> bool:
    """As a receiver checks it: HMAC-SHA256 keyed with the base64 after `whsec_`, over
    `{webhook-id}.{webhook-timestamp}.{body}`; the header may list several `v1,` signatures."""
    key = base64.b64decode(secret.split("_", 1)[1])
    headers = received.headers
    signed = (
        headers["webhook-id"].encode()
        + b"."
        + headers["webhook-timestamp"].encode()
        + b"."
        + received.body
    )
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [item.split(",", 1)[1] for item in headers["webhook-signature"].split(" ")]
    return any(hmac.compare_digest(expected, signature) for signature in offered)


def engagement(key: str, **fields: Any) -> dict[str, Any]:
    return {
        "key": key,
        "kind": "call",
        "title": "Blinken and Truss discuss the response to the invasion",
        "start_date": "2022-04-01",
        "countries": ["US", "GB"],
    } | fields
