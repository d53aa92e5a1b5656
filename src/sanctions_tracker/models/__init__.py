"""All tables, importable from one place so relationships across domains need no cycles."""

from sanctions_tracker.models.actors import Actor, ActorAlias, ActorPosition
from sanctions_tracker.models.base import Base
from sanctions_tracker.models.engagements import (
    Engagement,
    EngagementCountry,
    EngagementOrganization,
    EngagementParticipant,
    EngagementSanctionsRound,
    EngagementSector,
    EngagementSource,
    EngagementTopic,
)
from sanctions_tracker.models.organizations import Organization, OrganizationAlias
from sanctions_tracker.models.reference import Country
from sanctions_tracker.models.sanctions_rounds import (
    SanctionsRound,
    SanctionsRoundImposer,
    SanctionsRoundMeasure,
    SanctionsRoundSector,
    SanctionsRoundSource,
    SanctionsRoundTarget,
)
from sanctions_tracker.models.search import SearchDocument
from sanctions_tracker.models.sectors import Sector
from sanctions_tracker.models.sources import Source
from sanctions_tracker.models.trust import ApiKey, Change, IdempotentRequest
from sanctions_tracker.models.webhooks import Delivery, DeliveryAttempt, Subscription

__all__ = [
    "Actor",
    "ActorAlias",
    "ActorPosition",
    "ApiKey",
    "Base",
    "Change",
    "Country",
    "Delivery",
    "DeliveryAttempt",
    "Engagement",
    "EngagementCountry",
    "EngagementOrganization",
    "EngagementParticipant",
    "EngagementSanctionsRound",
    "EngagementSector",
    "EngagementSource",
    "EngagementTopic",
    "IdempotentRequest",
    "Organization",
    "OrganizationAlias",
    "SanctionsRound",
    "SanctionsRoundImposer",
    "SanctionsRoundMeasure",
    "SanctionsRoundSector",
    "SanctionsRoundSource",
    "SanctionsRoundTarget",
    "SearchDocument",
    "Sector",
    "Source",
    "Subscription",
]
