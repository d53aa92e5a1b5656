"""Engagement lists and records are written from plain documents, not validated models: their
bytes must be exactly what the models would write, or ETags and clients would notice."""

from sanctions_tracker.engagements.schemas import EngagementRead
from sanctions_tracker.pagination import Page
from tests.generated import GeneratedStore


def test_every_page_is_written_as_its_model_would_write_it(
    generated_store: GeneratedStore,
) -> None:
    client, cursor, seen = generated_store.client, None, 0
    while True:
        params = {"limit": 500, "facets": ["kind", "country"]}
        if cursor:
            params["cursor"] = cursor
        answer = client.get("/v1/engagements", params=params)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
        model = Page[EngagementRead].model_validate(answer.json())
        assert answer.content == model.model_dump_json().encode()
        seen += len(model.items)
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            break
        assert answer.headers["link"].endswith('rel="next"')
    assert seen == len(generated_store.bundle["engagements"])


def test_a_record_is_written_as_its_model_would_write_it(
    generated_store: GeneratedStore,
) -> None:
    for record in generated_store.bundle["engagements"][:200]:
        answer = generated_store.client.get(f"/v1/engagements/{record['key']}")
        assert answer.status_code == 200
        model = EngagementRead.model_validate(answer.json())
        assert answer.content == model.model_dump_json().encode()
        assert answer.headers["etag"].startswith(f'"{model.version}-')
