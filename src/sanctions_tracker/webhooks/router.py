"""`/v1/subscriptions`: webhooks. Every endpoint needs an editor key: subscriptions hold URLs."""

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy.orm import Session

from sanctions_tracker.auth.dependencies import require_role
from sanctions_tracker.config import Settings, get_settings
from sanctions_tracker.db import SessionDep
from sanctions_tracker.history import preconditions
from sanctions_tracker.history.preconditions import IfMatch, guard
from sanctions_tracker.models import Delivery, DeliveryAttempt, Subscription
from sanctions_tracker.models.trust import Role
from sanctions_tracker.models.webhooks import DeliveryStatus
from sanctions_tracker.pagination import DEFAULT_LIMIT, Page, paginate, set_link_header
from sanctions_tracker.params import Cursor, ListLimit
from sanctions_tracker.problems import problem_responses
from sanctions_tracker.routing import OneTripRoute
from sanctions_tracker.webhooks import delivery, service
from sanctions_tracker.webhooks.schemas import (
    AttemptRead,
    DeliveryRead,
    PingResult,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPatch,
    SubscriptionRead,
)

router = APIRouter(
    route_class=OneTripRoute,
    prefix="/v1/subscriptions",
    tags=["webhooks"],
    dependencies=[Depends(require_role(Role.editor))],
)

SettingsDep = Annotated[Settings, Depends(get_settings)]
IdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="The subscription's id")]
BY_ID = {"id": Subscription.id}
DELIVERIES_BY_ID = {"id": Delivery.id}


def to_read(subscription: Subscription) -> SubscriptionRead:
    return SubscriptionRead.model_validate(subscription, from_attributes=True)


def _get(session: Session, subscription_id: int) -> SubscriptionRead:
    return to_read(service.get(session, subscription_id))


@router.post(
    "",
    summary="Subscribe to changes",
    status_code=201,
    response_model=SubscriptionCreated,
    responses=problem_responses(422),
)
def create_subscription(
    body: SubscriptionCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> SubscriptionCreated:
    """Every committed change of the chosen `types` and `events` that passes `filter` is POSTed
    to `url`, at least once, in the order of the changes, signed as Standard Webhooks describe:
    headers `webhook-id` (the same for every retry of one change: de-duplicate by it),
    `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of
    `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the base64-decoded part of the secret
    after `whsec_`). The body is `{"type": "engagements.created", "timestamp": ...,
    "data": <the change as GET /v1/changes has it, with the record; a deletion adds `before`>}`.

    Answer any 2xx to acknowledge. Failed attempts (no answer, a timeout, any other status)
    are retried with exponential backoff and jitter for 24 hours; then the delivery is given up
    and the subscription turns `failing` and stops until PATCHed back to `active`. A `410 Gone`
    gives up at once. The answer shows the signing `secret`, **the only time it is shown**."""
    subscription, secret = service.create(session, body, settings)
    response.headers["Location"] = str(
        request.url_for("get_subscription", subscription_id=subscription.id)
    )
    return SubscriptionCreated(**to_read(subscription).model_dump(), secret=secret)


@router.get(
    "",
    summary="List subscriptions",
    response_model=Page[SubscriptionRead],
    responses=problem_responses(400, 422),
)
def list_subscriptions(
    request: Request,
    response: Response,
    session: SessionDep,
    limit: ListLimit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[SubscriptionRead]:
    """Oldest first; never the secrets."""
    page = paginate(
        session,
        service.list_query(),
        tiebreak=Subscription.id,
        sorts=BY_ID,
        sort="id",
        cursor=cursor,
        limit=limit,
    )
    set_link_header(request, response, page.next_cursor)
    return Page[SubscriptionRead](
        items=[to_read(row) for row in page.rows], total=page.total, next_cursor=page.next_cursor
    )


@router.get(
    "/{subscription_id}",
    summary="Get a subscription",
    response_model=SubscriptionRead,
    responses=problem_responses(404, 422),
)
def get_subscription(subscription_id: IdPath, session: SessionDep) -> Response:
    return preconditions.answer(_get(session, subscription_id))


@router.patch(
    "/{subscription_id}",
    summary="Change a subscription",
    response_model=SubscriptionRead,
    responses=problem_responses(404, 412, 422, 428),
)
def patch_subscription(
    subscription_id: IdPath,
    changes: SubscriptionPatch,
    session: SessionDep,
    settings: SettingsDep,
    if_match: IfMatch,
) -> Response:
    """Only the fields sent change. `{"status": "active"}` resumes a `failing` subscription
    where it stopped."""
    guard(if_match, lambda: _get(session, subscription_id))()
    subscription = service.patch(session, subscription_id, changes, settings)
    return preconditions.answer(to_read(subscription))


@router.delete(
    "/{subscription_id}",
    summary="Delete a subscription",
    status_code=204,
    response_class=Response,
    responses=problem_responses(404, 412, 422, 428),
)
def delete_subscription(subscription_id: IdPath, session: SessionDep, if_match: IfMatch) -> None:
    """Nothing more is sent; its pending deliveries are dropped."""
    guard(if_match, lambda: _get(session, subscription_id))()
    service.remove(session, subscription_id)


@router.get(
    "/{subscription_id}/deliveries",
    summary="List a subscription's deliveries",
    response_model=Page[DeliveryRead],
    responses=problem_responses(400, 404, 422),
)
def list_deliveries(
    subscription_id: IdPath,
    request: Request,
    response: Response,
    session: SessionDep,
    limit: ListLimit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page[DeliveryRead]:
    """Newest first: each change (or ping) owed to the subscription, whether it is `pending`,
    `delivered` or `failed` (given up), with every attempt: when, the receiver's status code or
    the error, and how long it took."""
    page = paginate(
        session,
        service.deliveries_query(session, subscription_id),
        tiebreak=Delivery.id,
        sorts=DELIVERIES_BY_ID,
        sort="-id",
        cursor=cursor,
        limit=limit,
    )
    attempts = service.attempts_of(session, [row.id for row in page.rows])
    set_link_header(request, response, page.next_cursor)
    return Page[DeliveryRead](
        items=[_delivery(row, attempts.get(row.id, [])) for row in page.rows],
        total=page.total,
        next_cursor=page.next_cursor,
    )


def _delivery(row: Delivery, attempts: Sequence[DeliveryAttempt]) -> DeliveryRead:
    pending = row.status == DeliveryStatus.pending
    return DeliveryRead(
        id=row.id,
        webhook_id=delivery.message_id(row.subscription_id, row.change_seq, row.id),
        event=row.event,
        change_seq=row.change_seq,
        status=DeliveryStatus(row.status),
        next_attempt_at=row.next_attempt_at if pending else None,
        created_at=row.created_at,
        finished_at=row.finished_at,
        attempts=[AttemptRead.model_validate(item, from_attributes=True) for item in attempts],
    )


@router.post(
    "/{subscription_id}/test",
    summary="Send a ping",
    response_model=PingResult,
    responses=problem_responses(404, 422),
)
def ping_subscription(
    subscription_id: IdPath, session: SessionDep, settings: SettingsDep
) -> PingResult:
    """POSTs `{"type": "ping", ...}` to the subscription's URL now, signed like every delivery,
    and answers what happened. Sent once, never retried; it does not change the status."""
    row, outcome = service.ping(session, subscription_id, settings)
    return PingResult(
        delivered=outcome.succeeded,
        webhook_id=delivery.message_id(row.subscription_id, None, row.id),
        status_code=outcome.status_code,
        error=outcome.error,
        duration_ms=outcome.duration_ms,
    )
