"""`/v1/subscriptions`: made, read, changed, deleted; the secret shown once; filters and URLs
checked as the lists and the allowed hosts would have them."""

import base64
import re

from fastapi.testclient import TestClient

from tests.conftest import ClientAs
from tests.webhooks.conftest import Receiver
from tests.webhooks.helpers import subscribe, verify

HOOK = "https://hooks.example.org/sanctions"


def test_the_secret_is_shown_once_and_only_once(client: TestClient) -> None:
    created = subscribe(client, HOOK, types=["engagements"], description="to the newsroom")
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]+=*", created["secret"])
    assert len(base64.b64decode(created["secret"].removeprefix("whsec_"))) >= 24
    shown = {key: value for key, value in created.items() if key != "secret"}
    assert shown == {
        "id": created["id"],
        "url": HOOK,
        "events": ["created", "updated", "deleted"],
        "types": ["engagements"],
        "filter": {},
        "description": "to the newsroom",
        "status": "active",
        "version": 1,
        "created_at": created["created_at"],
        "updated_at": created["updated_at"],
    }
    one = client.get(f"/v1/subscriptions/{created['id']}")
    assert one.json() == shown
    assert one.headers["etag"].startswith('"1-')
    listed = client.get("/v1/subscriptions").json()
    assert listed == {"items": [shown], "total": 1, "next_cursor": None}
    counted = client.get("/v1/subscriptions", params={"limit": 0}).json()
    assert counted == {"items": [], "total": 1, "next_cursor": None}
    deliveries = client.get(f"/v1/subscriptions/{created['id']}/deliveries", params={"limit": 0})
    assert deliveries.json() == {"items": [], "total": 0, "next_cursor": None}


def test_a_patch_changes_what_was_sent_and_a_delete_removes_it(client: TestClient) -> None:
    created = subscribe(client, HOOK)
    path = f"/v1/subscriptions/{created['id']}"
    changed = client.patch(path, json={"events": ["deleted"], "status": "failing"})
    assert changed.status_code == 200
    assert (changed.json()["events"], changed.json()["status"]) == (["deleted"], "failing")
    assert changed.json()["version"] == 2
    stale = client.patch(path, json={"status": "active"}, headers={"If-Match": '"1-0"'})
    assert stale.status_code == 412
    assert client.delete(path).status_code == 204
    gone = client.get(path)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"


def test_subscriptions_need_an_editor_key(client_as: ClientAs) -> None:
    assert client_as("anonymous").get("/v1/subscriptions").status_code == 401
    assert client_as("reader").get("/v1/subscriptions").status_code == 403
    assert client_as("reader").post("/v1/subscriptions", json={"url": HOOK}).status_code == 403
    assert client_as("editor").post("/v1/subscriptions", json={"url": HOOK}).status_code == 201


def errors(response: object) -> list[tuple[str, str]]:
    body = response.json()  # type: ignore[attr-defined]
    assert response.status_code == 422, body  # type: ignore[attr-defined]
    assert body["type"] == "/problems/validation-error"
    return [(error["pointer"], error["message"]) for error in body["errors"]]


def test_a_filter_is_checked_as_the_lists_check_their_parameters(client: TestClient) -> None:
    def refused(types: list[str], filter: dict[str, object]) -> list[str]:
        answer = client.post(
            "/v1/subscriptions", json={"url": HOOK, "types": types, "filter": filter}
        )
        return [pointer for pointer, _ in errors(answer)]

    assert refused(["engagements"], {"colour": ["red"]}) == ["/filter/colour"]
    assert refused(["engagements"], {"country": ["IN", "XX"]}) == ["/filter/country/1"]
    assert refused(["engagements"], {"kind": ["call", "phone"]}) == ["/filter/kind/1"]
    assert refused(["engagements"], {"sector": ["Energy!"]}) == ["/filter/sector/0"]
    assert refused(["engagements"], {"from": "1 April"}) == ["/filter/from"]
    assert refused(["engagements"], {"q": '"unclosed'}) == ["/filter/q"]
    # a filter must exist on every type subscribed to: rounds have no `country`
    assert refused(["engagements", "sanctions_rounds"], {"country": ["IN"]}) == ["/filter/country"]
    # a value must fit each type: `announced` is a round's status, not an engagement's
    assert refused(["engagements", "sanctions_rounds"], {"status": ["announced"]}) == [
        "/filter/status/0"
    ]
    fine = client.post(
        "/v1/subscriptions",
        json={
            "url": HOOK,
            "types": ["engagements", "sanctions_rounds"],
            "filter": {"sector": ["energy"], "from": "2022-03-01"},
        },
    )
    assert fine.status_code == 201, fine.text
    stored = fine.json()["filter"]
    assert stored == {"sector": ["energy"], "from": "2022-03-01"}


def test_country_codes_are_stored_as_the_lists_read_them(client: TestClient) -> None:
    created = subscribe(client, HOOK, types=["engagements"], filter={"country": ["in", " gb"]})
    assert created["filter"] == {"country": ["IN", "GB"]}


def test_only_http_urls_to_allowed_hosts_can_be_subscribed_to(client: TestClient) -> None:
    for url in (
        "ftp://hooks.example.org/x",
        "file:///etc/passwd",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]:8080/hook",
        "http://192.168.1.1/hook",
        "http://167772161/hook",  # 10.0.0.1, written as one number
        "http://0x0a000001/hook",
        "http://10.1/hook",
        "https://user:pw@hooks.example.org/",
    ):
        assert [
            pointer for pointer, _ in errors(client.post("/v1/subscriptions", json={"url": url}))
        ] == ["/url"], url
    # loopback is allowed in these tests' settings (127.0.0.0/8), as `make run` allows it
    assert client.post("/v1/subscriptions", json={"url": "http://127.0.0.1:9/x"}).status_code == 201


def test_a_ping_is_signed_and_answered_with_what_happened(
    client: TestClient, receiver: Receiver
) -> None:
    created = subscribe(client, receiver.url)
    answer = client.post(f"/v1/subscriptions/{created['id']}/test")
    assert answer.status_code == 200
    result = answer.json()
    assert result["delivered"] is True
    assert result["status_code"] == 204
    assert result["error"] is None
    [(received, _)] = receiver.received
    assert verify(created["secret"], received)
    assert received.headers["webhook-id"] == result["webhook_id"]
    assert received.json["type"] == "ping"
    assert received.json["data"] == {"subscription": created["id"]}
    listed = client.get(f"/v1/subscriptions/{created['id']}/deliveries").json()
    assert [(item["event"], item["status"]) for item in listed["items"]] == [("ping", "delivered")]
    assert [attempt["status_code"] for attempt in listed["items"][0]["attempts"]] == [204]


def test_a_ping_to_a_dead_receiver_says_why(client: TestClient) -> None:
    created = subscribe(client, "http://127.0.0.1:9/nothing-listens")
    result = client.post(f"/v1/subscriptions/{created['id']}/test").json()
    assert result["delivered"] is False
    assert result["status_code"] is None
    assert result["error"]
    # a ping never marks the subscription failing
    assert client.get(f"/v1/subscriptions/{created['id']}").json()["status"] == "active"


def test_an_unknown_subscription_is_a_404(client: TestClient) -> None:
    for method, path in (
        ("GET", "/v1/subscriptions/999999"),
        ("PATCH", "/v1/subscriptions/999999"),
        ("DELETE", "/v1/subscriptions/999999"),
        ("GET", "/v1/subscriptions/999999/deliveries"),
        ("POST", "/v1/subscriptions/999999/test"),
    ):
        answer = client.request(method, path, json={} if method == "PATCH" else None)
        assert answer.status_code == 404, (method, path)
        assert answer.json()["type"] == "/problems/not-found"
