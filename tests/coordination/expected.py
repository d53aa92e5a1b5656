"""The coordination view's answer computed by brute force from records as the bundle format
writes them: every round compared with every round, every engagement with every round, written
from the definitions in the route's description, not from the service."""

from datetime import date
from statistics import median
from typing import Any

Record = dict[str, Any]


def _day(record: Record, field: str) -> date:
    return date.fromisoformat(record[field])


def related_rounds(focal: Record, rounds: list[Record], window: int) -> list[Record]:
    found = []
    for other in rounds:
        lag = (_day(other, "announced_on") - _day(focal, "announced_on")).days
        if (
            other["key"] != focal["key"]
            and abs(lag) <= window
            and set(other["imposed_by"]) - set(focal["imposed_by"])
        ):
            found.append(
                {
                    "key": other["key"],
                    "title": other["title"],
                    "announced_on": other["announced_on"],
                    "imposed_by": other["imposed_by"],
                    "lag_days": lag,
                    "shared_sectors": [s for s in focal["sectors"] if s in other["sectors"]],
                    "url": f"/v1/sanctions-rounds/{other['key']}",
                }
            )
    return sorted(found, key=lambda item: (item["lag_days"], item["key"]))


def preceding_engagements(focal: Record, engagements: list[Record], window: int) -> list[Record]:
    found = []
    for engagement in engagements:
        lead = (_day(focal, "announced_on") - _day(engagement, "start_date")).days
        if 0 <= lead <= window and set(engagement["countries"]) & set(focal["imposed_by"]):
            found.append(
                {
                    "key": engagement["key"],
                    "title": engagement["title"],
                    "kind": engagement["kind"],
                    "status": engagement["status"],
                    "start_on": engagement["start_date"],
                    "countries": engagement["countries"],
                    "lead_days": lead,
                    "names_round": focal["key"] in engagement["sanctions_rounds"],
                    "url": f"/v1/engagements/{engagement['key']}",
                }
            )
    return sorted(found, key=lambda item: (item["lead_days"], item["key"]))


def coordination(
    rounds: list[Record],
    engagements: list[Record],
    focal: list[Record],
    *,
    target: str,
    window: int = 14,
    engagement_limit: int = 50,
) -> dict[str, Any]:
    """Every focal round's entry (in the order `focal` gives), the pairs and the jurisdictions.
    `rounds` may hold rounds against other targets; they are left out here."""
    against = [r for r in rounds if target in r["targets"]]
    entries = []
    closest: dict[str, int] = {}
    for round_ in focal:
        preceding = preceding_engagements(round_, engagements, window)
        if preceding:
            closest[round_["key"]] = preceding[0]["lead_days"]
        entries.append(
            {
                "key": round_["key"],
                "title": round_["title"],
                "announced_on": round_["announced_on"],
                "status": round_["status"],
                "imposed_by": round_["imposed_by"],
                "sectors": round_["sectors"],
                "url": f"/v1/sanctions-rounds/{round_['key']}",
                "related_rounds": related_rounds(round_, against, window),
                "preceding_engagements": preceding[:engagement_limit],
                "preceding_engagement_count": len(preceding),
            }
        )

    codes = sorted({code for r in against for code in r["imposed_by"]})
    pairs = []
    for leader in codes:
        led = [r for r in focal if leader in r["imposed_by"]]
        for follower in codes:
            if follower == leader:
                continue
            lags, sectors = [], {}
            for round_ in led:
                if follower in round_["imposed_by"]:
                    continue
                following = [
                    other
                    for other in against
                    if other["key"] != round_["key"]
                    and follower in other["imposed_by"]
                    and 0
                    <= (_day(other, "announced_on") - _day(round_, "announced_on")).days
                    <= window
                ]
                if not following:
                    continue
                lags.append(
                    min(
                        (_day(other, "announced_on") - _day(round_, "announced_on")).days
                        for other in following
                    )
                )
                shared = {
                    s for other in following for s in round_["sectors"] if s in other["sectors"]
                }
                for sector in shared:
                    sectors[sector] = sectors.get(sector, 0) + 1
            if lags:
                top = sorted(sectors.items(), key=lambda item: (-item[1], item[0]))[:5]
                pairs.append(
                    {
                        "leader": leader,
                        "follower": follower,
                        "leader_rounds": len(led),
                        "times": len(lags),
                        "median_lag_days": median(lags),
                        "shared_sectors": [{"sector": s, "count": n} for s, n in top],
                    }
                )
    pairs.sort(key=lambda pair: (-pair["times"], pair["leader"], pair["follower"]))

    jurisdictions = []
    for code in codes:
        imposed = [r for r in focal if code in r["imposed_by"]]
        if not imposed:
            continue
        leads = [closest[r["key"]] for r in imposed if r["key"] in closest]
        jurisdictions.append(
            {
                "jurisdiction": code,
                "rounds": len(imposed),
                "preceded": len(leads),
                "preceded_share": len(leads) / len(imposed),
                "median_lead_days": median(leads) if leads else None,
            }
        )
    jurisdictions.sort(key=lambda item: (-item["rounds"], item["jurisdiction"]))
    return {"rounds": entries, "pairs": pairs, "jurisdictions": jurisdictions, "total": len(focal)}
