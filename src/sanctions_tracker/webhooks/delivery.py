"""One delivery attempt: the body, its signature, the POST to a checked address, and what the
answer means for the next attempt."""

import json
import random
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from sanctions_tracker.config import Settings
from sanctions_tracker.history.router import to_change
from sanctions_tracker.models import Change
from sanctions_tracker.webhooks import addresses, signing

# Answers after which the same delivery is tried again later; any other non-2xx is treated
# alike (a receiver's mistake can be fixed within the retry window without losing events),
# except 410 Gone: the receiver says it will never want them (Standard Webhooks: disable).
GONE = 410


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == GONE


def message_id(subscription_id: int, change_seq: int | None, delivery_id: int) -> str:
    """Stable per (change, subscription), so a receiver can drop a retry it already has."""
    if change_seq is None:
        return f"msg_ping_{delivery_id}"
    return f"msg_{change_seq}_{subscription_id}"


def change_body(event: str, change: Change) -> bytes:
    """The change as the change feed gives it (with the whole record after it; for a deletion
    also the record as it was, in `before`)."""
    data: dict[str, Any] = to_change(change).model_dump(mode="json")
    if change.after is None:
        data["before"] = change.before
    return _body(event, change.at, data)


def ping_body(subscription_id: int, at: datetime) -> bytes:
    return _body("ping", at, {"subscription": subscription_id})


def _body(event: str, at: datetime, data: dict[str, Any]) -> bytes:
    document = {"type": event, "timestamp": at.isoformat(), "data": data}
    return json.dumps(document, separators=(",", ":")).encode()


def send(
    client: httpx.Client,
    settings: Settings,
    *,
    url: str,
    secret: str,
    message: str,
    body: bytes,
) -> Outcome:
    """POST `body` signed to `url`, connecting to an address checked against the allowed
    hosts at this very moment (no second DNS look-up that could be rebound)."""
    started = time.monotonic()
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        target = addresses.resolve(host, port, settings.webhook_allowed_hosts)
        netloc = f"[{target.address}]" if ":" in target.address else target.address
        if parts.port:
            netloc += f":{parts.port}"
        pinned = urlunsplit(parts._replace(netloc=netloc))
        headers = signing.headers(secret, message, int(time.time()), body)
        headers["host"] = parts.netloc.rsplit("@", 1)[-1]
        response = client.post(
            pinned, content=body, headers=headers, extensions={"sni_hostname": host}
        )
        return Outcome(response.status_code, None, _since(started))
    except addresses.Refused as exc:
        return Outcome(None, f"refused: {exc}", _since(started))
    except httpx.TimeoutException:
        return Outcome(None, f"timeout after {settings.webhook_timeout_seconds} s", _since(started))
    except httpx.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}", _since(started))


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def backoff(attempt: int, settings: Settings, rng: random.Random | None = None) -> float:
    """Seconds to wait after the `attempt`-th failed attempt (1, 2, ...): doubling from the base
    up to the maximum, of which a random 50-100 % ("equal jitter"), so that receivers that come
    back are not hit by every sender at once."""
    draw = (rng or random.Random()).random()
    ceiling = min(
        settings.webhook_retry_max_delay_seconds,
        settings.webhook_retry_base_seconds * 2 ** min(attempt - 1, 62),
    )
    return float(ceiling * (0.5 + draw / 2))


def client(settings: Settings) -> httpx.Client:
    """Redirects are not followed (a 3xx is a failed attempt): they could lead anywhere."""
    return httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False)
