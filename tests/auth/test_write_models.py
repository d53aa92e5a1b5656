"""Write bodies take only what a client owns: an unknown field, or one the server keeps (`id`,
`version`, `created_at`, `updated_at`), is a 422 that changes nothing."""

from typing import Any, get_args, get_origin

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from pydantic import BaseModel

from sanctions_tracker.app import create_app
from sanctions_tracker.bundles.schemas import Bundle

SERVER_OWNED = ("id", "version", "created_at", "updated_at")

VALID = {
    "sources": {"key": "reuters-call", "kind": "news_article", "title": "Blinken, Truss talk",
                "publisher": "Reuters", "published_on": "2022-04-01"},
    "organizations": {"key": "state", "name": "U.S. Department of State",
                      "kind": "government_body", "country": "US"},
    "actors": {"key": "antony-blinken", "name": "Antony Blinken", "country": "US"},
    "sectors": {"key": "energy", "name": "Energy"},
    "sanctions_rounds": {"key": "us-oil-ban", "title": "Ban on imports of Russian oil",
                         "imposed_by": ["US"], "targets": ["RU"], "announced_on": "2022-03-08",
                         "status": "in_force", "measures": ["import_ban"]},
    "engagements": {"key": "blinken-truss-call", "kind": "call", "title": "Blinken calls Truss",
                    "start_date": "2022-04-01", "countries": ["US", "GB"]},
}  # fmt: skip
CHANGE = {
    "sources": {"title": "Changed"},
    "organizations": {"name": "Changed"},
    "actors": {"name": "Changed"},
    "sectors": {"name": "Changed"},
    "sanctions_rounds": {"title": "Changed"},
    "engagements": {"title": "Changed"},
}
OWNED_VALUES = {"id": 999, "version": 7, "created_at": "2022-01-01T00:00:00Z",
                "updated_at": "2022-01-01T00:00:00Z"}  # fmt: skip
EXTRA = "Extra inputs are not permitted"


def models_in(annotation: Any) -> list[type[BaseModel]]:
    """Every pydantic model a type annotation can hold, at any depth."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found = [annotation]
        for field in annotation.model_fields.values():
            found += models_in(field.annotation)
        return found
    if get_origin(annotation) is not None:  # Annotated, unions, list[...], dict[...]
        return [model for arg in get_args(annotation) for model in models_in(arg)]
    return []


def write_body_models() -> dict[str, type[BaseModel]]:
    models: dict[str, type[BaseModel]] = {}
    for route in iter_route_contexts(create_app().routes):
        if not isinstance(route.original_route, APIRoute):
            continue
        for param in route.dependant.body_params:
            for model in models_in(param.field_info.annotation):
                models[model.__name__] = model
    for model in models_in(Bundle):  # the import's body, validated by the service
        models[model.__name__] = model
    return models


def test_every_write_model_forbids_unknown_and_server_owned_fields() -> None:
    models = write_body_models()

    assert {"EngagementRecord", "EngagementPatch", "Participant", "Bundle", "KeyCreate"} <= set(
        models
    )
    for name, model in models.items():
        assert model.model_config.get("extra") == "forbid", name
        assert not set(SERVER_OWNED) & set(model.model_fields), name


def collection(name: str) -> str:
    return "/v1/" + name.replace("_", "-")


def pointers(answer: Any) -> list[tuple[str, str]]:
    return [(error["pointer"], error["message"]) for error in answer.json()["errors"]]


@pytest.mark.parametrize("record_type", list(VALID))
def test_a_create_with_a_server_owned_field_is_refused_and_writes_nothing(
    client: TestClient, record_type: str
) -> None:
    path = collection(record_type)
    key = VALID[record_type]["key"]
    for field, value in [*OWNED_VALUES.items(), ("secret_flag", True)]:
        answer = client.post(path, json=VALID[record_type] | {field: value})

        assert answer.status_code == 422, field
        assert pointers(answer) == [(f"/{field}", EXTRA)]
        assert client.get(f"{path}/{key}").status_code == 404, field
    assert client.get(path).json()["total"] == 0

    assert client.post(path, json=VALID[record_type]).status_code == 201  # the rest was fine


@pytest.mark.parametrize("record_type", list(VALID))
def test_a_patch_with_a_server_owned_field_is_refused_and_changes_nothing(
    client: TestClient, record_type: str
) -> None:
    path = collection(record_type)
    created = client.post(path, json=VALID[record_type])
    assert created.status_code == 201
    record = f"{path}/{VALID[record_type]['key']}"
    before = client.get(record).json()

    for field, value in OWNED_VALUES.items():
        answer = client.patch(record, json=CHANGE[record_type] | {field: value})

        assert answer.status_code == 422, field
        assert pointers(answer) == [(f"/{field}", EXTRA)]
        assert client.get(record).json() == before, field


@pytest.mark.parametrize("record_type", list(VALID))
def test_an_import_record_with_an_id_or_version_writes_nothing(
    client: TestClient, record_type: str
) -> None:
    bundle = {
        "format": "sanctions-tracker-bundle/1",
        record_type: [VALID[record_type] | {"id": 1, "version": 3}],
    }

    answer = client.post("/v1/import", json=bundle)

    assert answer.status_code == 422
    assert pointers(answer) == [
        (f"/{record_type}/0/id", EXTRA),
        (f"/{record_type}/0/version", EXTRA),
    ]
    assert client.get(collection(record_type)).json()["total"] == 0
