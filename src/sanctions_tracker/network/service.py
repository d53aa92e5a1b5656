"""Who engaged whom: actors (or countries) linked once per matching engagement they share.

One query reads the (engagement, party) pairs of the matching engagements; the links are
counted in Python. A self-join of the link table in SQL would give the pair counts too, but not
each edge's first engagements in order, and an engagement has few parties, so the pairs per
engagement stay few."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sanctions_tracker.engagements import service as engagements
from sanctions_tracker.models import (
    Actor,
    Country,
    Engagement,
    EngagementCountry,
    EngagementParticipant,
)
from sanctions_tracker.network.schemas import Network, NetworkEdge, NetworkLevel, NetworkNode

EDGE_ENGAGEMENTS_LISTED = 20


@dataclass
class _Edge:
    weight: int = 0
    engagements: list[str] = field(default_factory=list)


def network(
    session: Session, filters: engagements.EngagementFilters, level: NetworkLevel
) -> Network:
    ids = engagements.list_query(session, filters).with_only_columns(Engagement.id)
    if level is NetworkLevel.actor:
        query = (
            select(Engagement.key, Engagement.start_on, Actor.key, Actor.name, Actor.country)
            .join(EngagementParticipant, EngagementParticipant.engagement_id == Engagement.id)
            .join(Actor, Actor.id == EngagementParticipant.actor_id)
        )
    else:
        query = (
            select(Engagement.key, Engagement.start_on, Country.code, Country.name, Country.code)
            .join(EngagementCountry, EngagementCountry.engagement_id == Engagement.id)
            .join(Country, Country.code == EngagementCountry.country)
        )
    parties: dict[tuple[date, str], set[str]] = defaultdict(set)
    labels: dict[str, tuple[str, str | None]] = {}
    for key, start_on, node, label, country in session.execute(query.where(Engagement.id.in_(ids))):
        parties[(start_on, key)].add(node)
        labels[node] = (label, country)

    counts: dict[str, int] = defaultdict(int)
    edges: dict[tuple[str, str], _Edge] = defaultdict(_Edge)
    # Sorted here rather than in SQL: PostgreSQL's collation may order keys differently.
    for (_, key), nodes in sorted(parties.items()):
        for node in nodes:
            counts[node] += 1
        for pair in combinations(sorted(nodes), 2):
            edge = edges[pair]
            edge.weight += 1
            if len(edge.engagements) < EDGE_ENGAGEMENTS_LISTED:
                edge.engagements.append(key)

    return Network(
        nodes=[
            NetworkNode(
                id=node, label=labels[node][0], country=labels[node][1], engagement_count=number
            )
            for node, number in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ],
        edges=[
            NetworkEdge(
                id=f"{source}--{target}",
                source=source,
                target=target,
                weight=edge.weight,
                engagements=edge.engagements,
            )
            for (source, target), edge in sorted(
                edges.items(), key=lambda item: (-item[1].weight, f"{item[0][0]}--{item[0][1]}")
            )
        ],
    )
