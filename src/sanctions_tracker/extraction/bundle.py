"""The draft as a `sanctions-tracker-bundle/1` document plus its evidence list.

Keys are made from the date and the names, like the seed's (`2022-04-01-blinken-truss-call`),
and never reuse a key the store already has, so importing the draft adds records rather than
overwriting others. People the store does not know are proposed as new `actors` records."""

import re
from typing import TYPE_CHECKING, Any

from sanctions_tracker.bundles.schemas import FORMAT
from sanctions_tracker.extraction.lexicon import country_label
from sanctions_tracker.extraction.people import Person, slug

if TYPE_CHECKING:
    from sanctions_tracker.extraction.extractor import Draft, Extraction, Found, Round


class Keys:
    def __init__(self, taken: frozenset[str]) -> None:
        self.taken = set(taken)

    def fresh(self, base: str) -> str:
        base = base[:120].strip("-")
        candidate, number = base, 2
        while candidate in self.taken:
            candidate, number = f"{base}-{number}", number + 1
        self.taken.add(candidate)
        return candidate


def _source(
    extraction: "Extraction", publisher: str | None, title: str | None, url: str | None, keys: Keys
) -> dict[str, Any]:
    headline = (
        title or _headline(extraction.text) or f"Text of {extraction.published_on.isoformat()}"
    )
    kind = (
        "news_article"
        if publisher or "(Reuters)" in extraction.text or "(AP)" in extraction.text
        else "other"
    )
    if re.search(
        r"\breadout\b|attributable to|Press Statement|Office of the Spokesperson",
        extraction.text,
        re.IGNORECASE,
    ):
        kind = "official_statement"
    base = "-".join(
        part
        for part in (
            slug(publisher or "", 30) if publisher else "",
            extraction.published_on.isoformat(),
            slug(headline, 50),
        )
        if part and part != "x"
    )
    return {
        "key": keys.fresh(base),
        "kind": kind,
        "title": headline[:300],
        "publisher": publisher,
        "url": url,
        "published_on": extraction.published_on.isoformat(),
        "authors": _authors(extraction.text),
    }


def _headline(text: str) -> str | None:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped:
            return stripped[:300]
    return None


def _authors(text: str) -> list[str]:
    match = re.search(r"\(Reporting by ([^;)]+)", text)
    if not match:
        return []
    names = re.split(r",\s*|\s+and\s+", match.group(1).strip())
    return [name.strip() for name in names if name.strip() and len(name.split()) <= 4]


def _when(found: "Found | Round") -> dict[str, Any]:
    end = found.when.end
    return {
        "start_date": found.when.start.isoformat(),
        "end_date": end.isoformat() if end and end > found.when.start else None,
        "date_precision": found.when.precision.value,
    }


def _location(found: "Found") -> dict[str, Any] | None:
    place = found.location
    if place is None:
        return None
    if place.city is None:
        return {"city": None, "country": place.country}
    return {
        "city": place.city.name,
        "country": place.city.country,
        "latitude": place.city.latitude,
        "longitude": place.city.longitude,
    }


def _engagement_key(found: "Found", keys: Keys) -> str:
    names = [slug(person.surname or person.name, 30) for person, _ in found.participants[:2]]
    where = []
    if found.kind in ("visit", "meeting") and found.location is not None:
        where = [
            slug(
                found.location.city.name
                if found.location.city
                else country_label(found.location.country),
                30,
            )
        ]
    if found.kind in ("ministerial", "summit"):
        names = [slug(found.title, 60)]
    kind = "readout" if found.kind == "statement" else found.kind
    return keys.fresh("-".join([found.when.start.isoformat(), *names, *where, kind]))


def _actor(person: Person, key: str) -> dict[str, Any]:
    return {
        "key": key,
        "name": person.name,
        "aliases": [],
        "country": person.country,
        "wikidata_id": None,
        "positions": [
            {"title": person.title, "organization": None, "start_date": None, "end_date": None}
        ]
        if person.title
        else [],
    }


def _evidence(
    pointer: str, found: "Found | Round", extra: list[Any] | None = None
) -> list[dict[str, Any]]:
    sentences = [found.sentence, *(extra or [])]
    seen = set()
    items = []
    for sentence in sentences:
        if sentence.start in seen:
            continue
        seen.add(sentence.start)
        items.append(
            {
                "pointer": pointer,
                "quote": sentence.text,
                "start": sentence.start,
                "end": sentence.end,
                "confidence": round(found.confidence, 2),
            }
        )
    return items


def assemble(
    extraction: "Extraction", *, publisher: str | None, title: str | None, url: str | None
) -> "Draft":
    from sanctions_tracker.extraction.extractor import Draft

    taken = extraction.context.taken_keys
    bundle: dict[str, Any] = {
        "format": FORMAT,
        "sources": [],
        "actors": [],
        "engagements": [],
        "sanctions_rounds": [],
    }
    evidence: list[dict[str, Any]] = []
    notes: list[str] = []
    if not extraction.found and not extraction.rounds:
        notes.append("No engagement or sanctions round was found in the text.")
        return Draft(bundle, evidence, notes)
    source = _source(extraction, publisher, title, url, Keys(taken.get("sources", frozenset())))
    bundle["sources"].append(source)
    engagement_keys = Keys(taken.get("engagements", frozenset()))
    keys: dict[int, str] = {}
    # Trips before their legs, legs in the order travelled; otherwise the order of the text.
    ordered = sorted(extraction.found, key=lambda f: (f.sentence.start, f.kind != "trip"))
    for found in ordered:
        keys[id(found)] = _engagement_key(found, engagement_keys)
    actors: dict[str, dict[str, Any]] = {}
    for found in ordered:
        index = len(bundle["engagements"])
        for person, _ in found.participants:
            if not person.known and person.key not in actors:
                actors[person.key] = _actor(person, person.key)
                evidence += [
                    dict(item, pointer=f"/actors/{len(actors) - 1}")
                    for item in _evidence("", found)[:1]
                ]
        bundle["engagements"].append(
            {
                "key": keys[id(found)],
                "kind": found.kind,
                "title": found.title[:300] or found.kind.title(),
                "summary": None,
                **_when(found),
                "status": found.status,
                "location": _location(found),
                "countries": found.countries,
                "organizations": found.organizations,
                "participants": [
                    {"actor": person.key, "role": role} for person, role in found.participants
                ],
                "topics": found.topics,
                "sectors": found.sectors,
                "sanctions_rounds": [],
                "parent": keys[id(found.parent)] if found.parent is not None else None,
                "sources": [{"source": source["key"], "quote": found.sentence.text}],
            }
        )
        evidence += _evidence(f"/engagements/{index}", found, found.more)
    bundle["actors"] = list(actors.values())
    round_keys = Keys(taken.get("sanctions_rounds", frozenset()))
    for index, round_ in enumerate(extraction.rounds):
        facts = round_.facts
        imposers = " and ".join(country_label(code) for code in round_.imposed_by)
        targets = " and ".join(country_label(code) for code in round_.targets)
        prefix = {"planned": "Planned ", "in_force": ""}.get(facts.status, "")
        title = f"{prefix}{imposers} sanctions on {targets}"
        if facts.sectors:
            names = {sector.key: sector.name for sector in extraction.context.sectors}
            title += ": " + ", ".join(names.get(key, key).lower() for key in facts.sectors)
        key = round_keys.fresh(
            "-".join(
                [
                    *(code.lower() for code in round_.imposed_by),
                    round_.when.start.isoformat(),
                    *(["planned"] if facts.status == "planned" else []),
                    slug(facts.sectors[0], 40) if facts.sectors else "sanctions",
                ]
            )
        )
        bundle["sanctions_rounds"].append(
            {
                "key": key,
                "title": title[0].upper() + title[1:],
                "imposed_by": round_.imposed_by,
                "targets": round_.targets,
                "announced_on": round_.when.start.isoformat(),
                "effective_on": None,
                "status": facts.status,
                "measures": [measure.value for measure in facts.measures],
                "sectors": facts.sectors,
                "legal_basis": facts.legal_basis,
                "designations": facts.designations,
                "summary": None,
                "sources": [{"source": source["key"], "quote": round_.sentence.text}],
            }
        )
        evidence += _evidence(f"/sanctions_rounds/{index}", round_)
    return Draft(bundle, evidence, notes)
