# ruff: noqa: RUF001 - typographic quotes and dashes are what copy uses
"""From a text to a draft bundle: the rules put together, sentence by sentence.

Pure: the same text, publication date and context always give the same draft. Every record
keeps the sentence it came from (its offsets and a confidence go in the evidence list)."""

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sanctions_tracker.bundles.schemas import FORMAT
from sanctions_tracker.enums import DatePrecision
from sanctions_tracker.extraction import events, rounds
from sanctions_tracker.extraction.context import Context
from sanctions_tracker.extraction.dates import DateMention, find_dates
from sanctions_tracker.extraction.lexicon import CountryMention, country_label, find_countries
from sanctions_tracker.extraction.people import People, Person, PersonMention, fold
from sanctions_tracker.extraction.places import City, PlaceMention, city, find_places
from sanctions_tracker.extraction.sentences import Sentence, dateline_city, split

CLAUSE_BREAK = re.compile(
    r";\s+|,?\s+while\s+|,?\s+whereas\s+|,\s+and\s+(?=[A-Z])|\s+and\s+(?=then\b)"
)

# Between a speaker and "said in a statement": nothing, or an apposition between commas.
SUBJECT_GAP = re.compile(r"\s*(?:,[^,;]{0,100},\s*)?(?:also\s+|later\s+|then\s+)?")
# Between "a statement by" and the speaker: a title of a few words at most.
AGENT_GAP = re.compile(r"\s*(?:[\w.’'-]+\s+){0,6}")

# A gathering named only as the setting of something else ("met on the sidelines of the G7
# summit"): without a date of its own it is no record; the date in the clause is the meeting's.
SETTING = re.compile(
    r"\b(?:on the (?:sidelines|margins|fringes) of|at|during|ahead of|before|after|on the eve of"
    r"|in the run-up to|while attending|on the way to|en route to)\s+(?:the\s+|a\s+|an\s+"
    r"|this\s+(?:week|month|year)[’']s\s+|last\s+(?:week|month|year)[’']s\s+)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class When:
    start: date
    end: date | None
    precision: DatePrecision
    inherited: bool = False


@dataclass
class Found:
    """A record being drafted, with where it came from."""

    kind: str
    when: When
    status: str
    sentence: Sentence
    confidence: float
    participants: list[tuple[Person, str]] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    location: PlaceMention | None = None
    title: str = ""
    topics: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    body: str | None = None
    legs: list["Found"] = field(default_factory=list)
    parent: "Found | None" = None
    more: list[Sentence] = field(default_factory=list)


@dataclass
class Round:
    imposed_by: list[str]
    targets: list[str]
    when: When
    facts: rounds.RoundFacts
    sentence: Sentence
    confidence: float


@dataclass
class Draft:
    bundle: dict[str, Any]
    evidence: list[dict[str, Any]]
    notes: list[str]


def _add(values: list[str], *more: str | None) -> None:
    for value in more:
        if value and value not in values:
            values.append(value)


class Extraction:
    def __init__(self, text: str, published_on: date, context: Context) -> None:
        self.text = text
        self.published_on = published_on
        self.context = context
        self.people = People(context, published_on)
        self.found: list[Found] = []
        self.rounds: list[Round] = []
        self.context_date: When | None = None
        self.dateline = dateline_city(text)
        self._text_countries: list[CountryMention] | None = None
        self.org_forms = sorted(
            (
                (name, org.key, org.country)
                for org in context.organizations
                for name in (org.name, *org.aliases)
                if len(name) >= 3
            ),
            key=lambda item: -len(item[0]),
        )
        self.org_by_name = {name: (key, country) for name, key, country in self.org_forms}
        self.org_pattern = (
            re.compile(
                r"(?<![\w-])(?:"
                + "|".join(re.escape(name) for name, _, _ in self.org_forms)
                + r")(?![\w-])"
            )
            if self.org_forms
            else None
        )

    # -- sentences and clauses --------------------------------------------------------------

    def run(self) -> None:
        for sentence in split(self.text):
            self._sentence(sentence)
        # A trip is travel to several places; "his second trip abroad" to one city is a visit.
        for trip in [f for f in self.found if f.kind == "trip" and len(f.legs) < 2]:
            for leg in trip.legs:
                leg.parent = None
            self.found.remove(trip)

    def _sentence(self, sentence: Sentence) -> None:
        text = sentence.text
        mentions = list(self.people.find(text))
        places = find_places(text)
        countries = find_countries(text)
        bounds = self._clauses(text, mentions)
        for start, end in bounds:
            clause = text[start:end]
            inside = [m for m in mentions if start <= m.start < end]
            self._clause(
                sentence,
                start,
                clause,
                inside,
                [p for p in places if start <= p.start < end],
                [c for c in countries if start <= c.start < end],
            )

    def _clauses(self, text: str, mentions: list[PersonMention]) -> list[tuple[int, int]]:
        cuts = [0]
        for match in CLAUSE_BREAK.finditer(text):
            # ", and Blinken discussed": only a new subject starts a new clause.
            starts_and = match.group(0).strip().startswith(",") and "and" in match.group(0)
            if starts_and and not any(m.start == match.end() for m in mentions):
                continue
            cuts.append(match.end())
        cuts.append(len(text))
        return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]

    def _dates(self, clause: str, future: bool) -> list[DateMention]:
        return find_dates(clause, self.published_on, future_clause=future)

    def _when(self, mentions: list[DateMention]) -> When | None:
        for mention in mentions:
            if not mention.possessive:
                return When(mention.start_date, mention.end_date, mention.precision)
        return None

    def _clause(
        self,
        sentence: Sentence,
        offset: int,
        clause: str,
        mentions: list[PersonMention],
        places: list[PlaceMention],
        countries: list[CountryMention],
    ) -> None:
        future = bool(events.FUTURE.search(clause))
        dates = self._dates(clause, future)
        own = self._when(dates)
        when = own or self._inherited()
        status = "cancelled" if events.CANCELLED.search(clause) else None
        people = [m for m in mentions if not m.possessive]
        local_places = [
            PlaceMention(p.start - offset, p.end - offset, p.city, p.country) for p in places
        ]
        local_people = [
            PersonMention(m.start - offset, m.end - offset, m.person, m.possessive) for m in people
        ]
        local_countries = [
            CountryMention(c.start - offset, c.end - offset, c.code, c.form) for c in countries
        ]
        self._gatherings(sentence, clause, dates, future, local_places)
        self._statement(sentence, clause, local_people, when)
        self._interaction(
            sentence, clause, local_people, local_places, local_countries, own, when, future, status
        )
        self._round(sentence, clause, local_countries, local_people, own or when, future)
        if own is not None and not any(m.future for m in dates if not m.possessive):
            self.context_date = own

    def _inherited(self) -> When:
        if self.context_date is not None:
            base = self.context_date
            return When(base.start, base.end, base.precision, inherited=True)
        return When(self.published_on, None, DatePrecision.day, inherited=True)

    def _status(self, when: When, future: bool) -> str:
        if when.start > self.published_on:
            return "planned"
        if (
            future
            and when.precision != DatePrecision.day
            and when.start >= monday(self.published_on)
        ):
            return "planned"
        if future and when.start >= self.published_on and not when.inherited:
            return "planned"
        return "held"

    def _orgs(self, clause: str) -> list[str]:
        return [key for key, _ in self._org_hits(clause)]

    def _org_hits(self, clause: str) -> list[tuple[str, str | None]]:
        """Stored organizations the clause names, by name or alias: (key, country)."""
        if self.org_pattern is None:
            return []
        hits: list[tuple[str, str | None]] = []
        for match in self.org_pattern.finditer(clause):
            hit = self.org_by_name[match.group(0)]
            if hit not in hits:
                hits.append(hit)
        return hits

    # -- gatherings: ministerials and summits ------------------------------------------------

    def _gatherings(
        self,
        sentence: Sentence,
        clause: str,
        dates: list[DateMention],
        future: bool,
        places: list[PlaceMention],
    ) -> None:
        if not events.GATHERING_HINT.search(clause):
            return
        for match in events.GATHERING.finditer(clause):
            kind = "summit" if "summit" in match.group(0).lower() else "ministerial"
            body = (
                match.group("body") or match.group("sbody") or match.group("mbody") or ""
            ).strip("’' ")
            before = [d for d in dates if d.possessive and 0 <= match.start() - d.end <= 30]
            after = [d for d in dates if not d.possessive and d.start >= match.end()]
            mention = (before or after)[0] if before or after else None
            ahead = future or "upcoming" in clause[max(0, match.start() - 20) : match.start()]
            when = (
                When(mention.start_date, mention.end_date, mention.precision) if mention else None
            )
            orgs = self._orgs(body) if body else []
            existing = self._same_gathering(kind, body, orgs, when)
            if existing is not None:
                existing.more.append(sentence)
                continue
            if when is None:
                if ahead:
                    continue  # a future gathering without a date: nothing to file yet
                if SETTING.search(clause[: match.start()]):
                    continue  # only where something else happened: not news of its own
                when = self._inherited()
            status = "planned" if when.start > self.published_on or ahead else "held"
            who = (match.group("who") or "").lower()
            name = " ".join(part for part in (body, who) if part)
            title = (
                f"{name} ministers' meeting".strip()
                if kind == "ministerial"
                else f"{body} summit".strip()
            )
            location = next((p for p in places if p.start >= match.end()), None)
            found = Found(
                kind=kind,
                when=when,
                status=status,
                sentence=sentence,
                confidence=0.8 if mention else 0.6,
                organizations=orgs,
                location=location,
                title=title[:1].upper() + title[1:],
                topics=events.topics(sentence.text),
                body=fold(body) or None,
            )
            self.found.append(found)

    def _same_gathering(
        self, kind: str, body: str, orgs: list[str], when: When | None
    ) -> Found | None:
        for found in self.found:
            if found.kind != kind:
                continue
            if (
                (orgs and set(orgs) & set(found.organizations))
                or (body and fold(body) == found.body)
            ) and (when is None or found.when.start == when.start):
                return found
        return None

    # -- statements ---------------------------------------------------------------------------

    def _statement(
        self, sentence: Sentence, clause: str, people: list[PersonMention], when: When
    ) -> None:
        explicit = events.STATEMENT.search(clause)
        said = events.SAID.search(clause)
        speakers = [m for m in people if m.person.title and events.SPOKES.search(m.person.title)]
        if not speakers and explicit:
            # Only the statement's own subject makes one: "Truss said in a statement" or "a
            # statement by Truss". "X spoke with Y ..., the Treasury said in a statement" is
            # the attribution of other news, not a statement by Y.
            speakers = [
                m
                for m in people
                if m.end <= explicit.start()
                and SUBJECT_GAP.fullmatch(clause[m.end : explicit.start()])
            ][-1:] or [
                m
                for m in people
                if m.start >= explicit.end()
                and AGENT_GAP.fullmatch(clause[explicit.end() : m.start])
            ][:1]
        if not speakers or not (explicit or said):
            return
        person = speakers[0].person
        role = (
            "spokesperson" if person.title and events.SPOKES.search(person.title) else "principal"
        )
        for found in self.found:
            if (
                found.kind == "statement"
                and found.participants[0][0] is person
                and (found.when.start == when.start or when.inherited)
            ):
                found.more.append(sentence)
                return
        location = None
        if self.dateline:
            place = city(self.dateline)
            if place is not None and place.country == person.country:
                location = PlaceMention(0, 0, place, place.country)
        found = Found(
            kind="statement",
            when=when,
            status="held",
            sentence=sentence,
            confidence=0.85 if explicit or role == "spokesperson" else 0.6,
            participants=[(person, role)],
            countries=[person.country] if person.country else [],
            organizations=[],
            location=location,
            title=f"Statement by {person.name}",
            topics=events.topics(sentence.text),
        )
        _add(found.organizations, *person.organizations)
        self.found.append(found)

    # -- calls, meetings, visits and trips ---------------------------------------------------

    def _interaction(
        self,
        sentence: Sentence,
        clause: str,
        people: list[PersonMention],
        places: list[PlaceMention],
        countries: list[CountryMention],
        own: When | None,
        when: When,
        future: bool,
        cancelled: str | None,
    ) -> None:
        if not people:
            return
        kind, trigger, confidence = self._kind(clause, people, places)
        if kind is None or trigger is None:
            return
        if future and own is None:
            return  # something ahead without a date: too vague to file
        subjects = [m for m in people if m.end <= trigger]
        objects = [
            m
            for m in people
            if m.start >= trigger
            and re.search(
                r"\b(?:with|to|met|meets|meet|meeting|hosted|received|welcomed|called|telephoned|phoned"
                r"|rang|and)\s+(?:[\w.’'-]+\s+){0,8}$",
                clause[trigger : m.start] if m.start > trigger else "",
            )
        ]
        if not subjects:
            return
        principal = subjects[0].person
        participants: list[tuple[Person, str]] = [(principal, "principal")]
        for mention in subjects[1:]:
            # "Blinken and Austin met Zelenskyy": a co-subject of the same side participates.
            same_side = mention.person.country == principal.country and bool(objects)
            role = "counterpart" if kind in ("call", "meeting") and not same_side else "participant"
            if all(p is not mention.person for p, _ in participants):
                participants.append((mention.person, role))
        for mention in objects:
            if all(p is not mention.person for p, _ in participants):
                participants.append((mention.person, "counterpart"))
        if (
            kind in ("call", "meeting")
            and len(participants) < 2
            and not self._groups(clause, countries, trigger)
        ) and (kind == "call" or not places):
            return
        status = cancelled or self._status(when, future)
        where: PlaceMention | None = None
        if kind in ("visit", "trip"):
            # "visited Kyiv on Saturday and met Zelenskiy": the visit, then a meeting there.
            then = events.THEN_MET.search(clause, trigger)
            met = [
                (m.person, "counterpart")
                for m in people
                if then is not None and m.start >= then.end() and m.person is not principal
            ]
            travellers = [(p, r) for p, r in participants if all(p is not q for q, _ in met)]
            self._travel(
                sentence,
                clause,
                kind,
                principal,
                travellers,
                places,
                when,
                status,
                confidence,
                trigger,
            )
            if then is None or not met:
                return
            kind, trigger = "meeting", then.start()
            participants = [(principal, "principal"), *met]
            where = next((p for p in reversed(places) if p.end <= trigger), None)
        location = (
            where or next((p for p in places if p.start >= trigger), None)
            if kind == "meeting"
            else None
        )
        found = Found(
            kind=kind,
            when=when,
            status=status,
            sentence=sentence,
            confidence=confidence * (0.9 if when.inherited else 1.0),
            participants=participants,
            location=location,
            topics=events.topics(sentence.text),
        )
        for person, _ in participants:
            _add(found.countries, person.country)
            _add(found.organizations, *person.organizations)
        _add(found.countries, *self._groups(clause, countries, trigger))
        _add(found.organizations, *self._orgs(clause))
        names = " and ".join(_short(p) for p, _ in participants[:2])
        noun = {"call": "call", "meeting": "meeting"}[kind]
        found.title = f"{names} {noun}" + (f" in {self._place_name(location)}" if location else "")
        if self._merge(found):
            return
        self.found.append(found)

    def _groups(self, clause: str, countries: list[CountryMention], trigger: int) -> list[str]:
        """Countries engaged without a named person: "pressed Indian officials"."""
        codes = []
        for mention in countries:
            if mention.start < trigger or mention.form == "metonym":
                continue
            rest = clause[mention.end : mention.end + 40]
            if re.match(
                r"\s+(?:officials|counterparts?|leaders|ministers|diplomats|government|"
                r"authorities|delegation|partners)\b",
                rest,
            ):
                codes.append(mention.code)
        return codes

    def _kind(
        self, clause: str, people: list[PersonMention], places: list[PlaceMention]
    ) -> tuple[str | None, int | None, float]:
        travel = events.TRAVEL.search(clause)
        if travel and any(m.end <= travel.start() for m in people):
            # "arrived in Tehran for talks with ...": the travel comes first, to a place named
            # before any meeting word, so the record is the visit.
            meeting = events.MEETING.search(clause, travel.start())
            place = next((p for p in places if p.start >= travel.start()), None)
            if (
                place is not None
                and (meeting is None or place.start < meeting.start())
                and not events.CALL.search(clause[: place.start])
            ):
                return "visit", travel.start(), 0.85
        for kind, pattern, confidence in (
            ("call", events.CALL, 0.9),
            ("meeting", events.MEETING, 0.85),
        ):
            match = pattern.search(clause)
            if match and any(m.end <= match.start() for m in people):
                return kind, match.start(), confidence
        travel = events.TRAVEL.search(clause)
        if (
            travel
            and any(m.end <= travel.start() for m in people)
            and any(p.start >= travel.start() for p in places)
        ):
            return "visit", travel.start(), 0.85
        discussed = events.DISCUSSED.search(clause)
        if discussed and any(m.end <= discussed.start() for m in people):
            after = [p for p in places if p.start > discussed.start()]
            with_someone = re.search(r"\bwith\b", clause[discussed.end() :])
            subjects = [m for m in people if m.end <= discussed.start()]
            if len(subjects) >= 2 or with_someone:
                return ("meeting" if after else "call"), discussed.start(), 0.6
        action = events.IN_PLACE_ACTION.search(clause)
        if action and places:
            subjects = [m for m in people if m.end <= action.start() + len(action.group(0)) + 1]
            abroad = [
                p
                for p in places
                if p.start > action.start() - 20
                and subjects
                and p.country != subjects[0].person.country
                and re.search(r"\bin\s+$", clause[max(0, p.start - 4) : p.start])
            ]
            if subjects and abroad:
                return "visit", max(action.start(), subjects[0].end), 0.7
        return None, None, 0.0

    def _place_name(self, place: PlaceMention | None) -> str:
        if place is None:
            return ""
        return place.city.name if place.city else country_label(place.country)

    def _travel(
        self,
        sentence: Sentence,
        clause: str,
        kind: str,
        principal: Person,
        participants: list[tuple[Person, str]],
        places: list[PlaceMention],
        when: When,
        status: str,
        confidence: float,
        trigger: int,
    ) -> None:
        stops = [
            p
            for p in places
            if (p.start >= trigger and p.country != principal.country)
            or (p.start >= trigger and p.city is not None)
        ]
        stops = [p for p in stops if p.city is not None or p.country != principal.country]
        # "Phnom Penh, Cambodia" is one stop: a country right after a city of its own.
        stops = [
            p
            for i, p in enumerate(stops)
            if not (
                p.city is None
                and i > 0
                and stops[i - 1].city is not None
                and stops[i - 1].country == p.country
            )
        ]
        if not stops:
            return
        trip = next(
            (
                f
                for f in self.found
                if f.kind == "trip"
                and f.participants[0][0] is principal
                and abs((f.when.start - when.start).days) <= 7
            ),
            None,
        )
        wants_trip = len(stops) > 1 or events.TRIP.search(clause)
        if trip is None and wants_trip:
            trip = Found(
                kind="trip",
                when=when,
                status=status,
                sentence=sentence,
                confidence=confidence,
                participants=[(principal, "principal")],
                topics=events.topics(sentence.text),
            )
            _add(trip.countries, principal.country)
            _add(trip.organizations, *principal.organizations)
            self.found.append(trip)
        leg_dates = [
            d
            for d in self._dates(clause, status == "planned")
            if not d.possessive and d.start >= trigger
        ]
        for index, stop in enumerate(stops):
            # "arrived in Bangkok on Monday, ... took him to Singapore ... on June 10-12": a
            # date between a stop and the next one is that stop's own.
            until = stops[index + 1].start if index + 1 < len(stops) else len(clause)
            own = next((d for d in leg_dates if stop.end <= d.start < until), None)
            leg_when = when if own is None else When(own.start_date, own.end_date, own.precision)
            leg_status = status
            if own is not None and status != "cancelled":
                leg_status = self._status(leg_when, status == "planned")
            leg = Found(
                kind="visit",
                when=leg_when,
                status=leg_status,
                sentence=sentence,
                confidence=confidence * (0.9 if leg_when.inherited else 1.0),
                participants=list(participants),
                location=stop,
                title=f"{_short(principal)} visits {self._place_name(stop)}",
                topics=events.topics(sentence.text),
            )
            _add(leg.countries, principal.country, stop.country)
            for person, _ in participants[1:]:
                _add(leg.countries, person.country)
            _add(leg.organizations, *principal.organizations)
            _add(leg.countries, *self._groups(clause, find_countries(clause), trigger))
            if self._merge(leg):
                continue
            if trip is not None:
                leg.parent = trip
                trip.legs.append(leg)
            self.found.append(leg)
        if trip is not None:
            self._span_trip(trip)

    def _span_trip(self, trip: Found) -> None:
        legs = trip.legs
        if not legs:
            return
        start = min(leg.when.start for leg in legs)
        end = max((leg.when.end or leg.when.start) for leg in legs)
        coarse = any(leg.when.precision != DatePrecision.day for leg in legs)
        precision = DatePrecision.week if coarse else DatePrecision.day
        trip.when = When(start, end if end > start else None, precision)
        for leg in legs:
            _add(trip.countries, *leg.countries)
        places = [self._place_name(leg.location) for leg in legs]
        listed = ", ".join(places[:-1]) + (f" and {places[-1]}" if len(places) > 1 else places[0])
        name = trip.participants[0][0]
        trip.title = f"{_short(name)}'s trip to {listed}"

    def _merge(self, new: Found) -> bool:
        """Folds a record into one already drafted that reports the same event."""
        people = {p.key for p, _ in new.participants}
        for found in self.found:
            if {p.key for p, _ in found.participants} != people:
                continue
            # "A and B discussed ..." after the readout's call is that call, whatever it looks like.
            inferred = new.confidence <= 0.6 and {new.kind, found.kind} <= {"call", "meeting"}
            if found.kind != new.kind and not inferred:
                continue
            same_place = (
                found.location
                and new.location
                and found.location.city == new.location.city
                and found.location.country == new.location.country
            )
            if new.kind == "visit" and not same_place:
                continue
            if (
                new.kind != "visit"
                and found.when.start != new.when.start
                and not (new.when.inherited or found.when.inherited)
            ):
                continue
            if self._within(new.when, found.when) and new.when.precision == DatePrecision.day:
                found.when = new.when  # "earlier this week" made exact by "on Tuesday"
                if found.parent is not None:
                    self._span_trip(found.parent)
            found.more.append(new.sentence)
            return True
        return False

    @staticmethod
    def _within(inner: When, outer: When) -> bool:
        if outer.precision == DatePrecision.day:
            return False
        end = outer.end or outer.start + timedelta(days=6)
        return outer.start <= inner.start <= end

    # -- sanctions rounds ---------------------------------------------------------------------

    def _round(
        self,
        sentence: Sentence,
        clause: str,
        countries: list[CountryMention],
        people: list[PersonMention],
        when: When,
        future: bool,
    ) -> None:
        previous: list[str] = []
        for start, end in rounds.parts(clause):
            part = clause[start:end]
            inside = [
                CountryMention(c.start - start, c.end - start, c.code, c.form)
                for c in countries
                if start <= c.start < end
            ]
            persons = [
                PersonMention(m.start - start, m.end - start, m.person, m.possessive)
                for m in people
                if start <= m.start < end
            ]
            own = self._when(self._dates(part, future))
            found = self._one_round(sentence, part, inside, persons, own or when, previous)
            if found:
                previous = found

    def _one_round(
        self,
        sentence: Sentence,
        clause: str,
        countries: list[CountryMention],
        people: list[PersonMention],
        when: When,
        previous: list[str],
    ) -> list[str]:
        """Drafts the round `clause` reports, if any; answers who imposes it."""
        verb = rounds.is_round(clause)
        if verb is None:
            return []
        imposed = self._imposers(clause, countries, people, verb.start())
        if not imposed:
            same = previous or (
                self.rounds[-1].imposed_by
                if self.rounds and rounds.SAME_IMPOSER.search(clause)
                else []
            )
            imposed = list(same)
        if not imposed:
            return []
        targets = self._targets(sentence, clause, countries, imposed, verb.start())
        if not targets:
            return []
        facts = rounds.facts(clause, self.context.sectors)
        if not facts.sectors and rounds.SAME_MEASURE.search(clause):
            # The sectors of the earlier round whose measure the clause refers back to.
            for earlier in reversed(self.rounds):
                shared = set(earlier.facts.measures) & set(facts.measures)
                if shared:
                    facts.sectors.extend(
                        rounds.sectors_near(earlier.sentence.text, shared, self.context.sectors)
                    )
                    break
        status = facts.status
        if when.start > self.published_on:
            status = "planned"
        round_ = Round(
            imposed,
            targets,
            when,
            rounds.RoundFacts(
                status, facts.measures, facts.sectors, facts.legal_basis, facts.designations
            ),
            sentence,
            0.75 if facts.measures or facts.sectors else 0.6,
        )
        for other in self.rounds:
            if self._same_round(other, round_):
                for sector in facts.sectors:
                    _add(other.facts.sectors, sector)
                for measure in facts.measures:
                    if measure not in other.facts.measures:
                        other.facts.measures.append(measure)
                return imposed
        self.rounds.append(round_)
        return imposed

    def _imposers(
        self,
        clause: str,
        countries: list[CountryMention],
        people: list[PersonMention],
        verb: int,
    ) -> list[str]:
        """Who imposes: the governments named before the verb ("The United States, Britain and
        Canada imposed"), by name, capital, demonym with a government noun ("British
        authorities") or a stored body ("HM Treasury"); else the person who announced it."""
        imposed: list[str] = []
        for mention in countries:
            if mention.end > verb:
                continue
            if mention.form == "demonym" and not rounds.GOVERNMENT_AFTER.match(
                clause[mention.end : verb]
            ):
                continue
            if mention.form == "metonym" and re.search(
                r"\b(?:in|to|from|at)\s+$", clause[: mention.start]
            ):
                continue
            _add(imposed, mention.code)
        for _, org_country in self._org_hits(clause[:verb]):
            _add(imposed, org_country)
        if not imposed:
            for person in people:
                if person.end <= verb and person.person.country:
                    _add(imposed, person.person.country)
                    break
        return imposed

    def _targets(
        self,
        sentence: Sentence,
        clause: str,
        countries: list[CountryMention],
        imposed: list[str],
        verb: int,
    ) -> list[str]:
        """On whom: the usual targets named after the verb, another country only where the
        text says "on"/"against" it; failing those, whom the text's rounds so far target,
        else the usual target the whole text names most."""
        own_end = len(rounds.own_words(clause))
        after = [c for c in countries if verb <= c.start < own_end and c.code not in imposed]
        targets = list(dict.fromkeys(c.code for c in after if c.code in rounds.USUAL_TARGETS))
        if not targets:
            targets = list(
                dict.fromkeys(
                    c.code
                    for c in after
                    if rounds.TARGETED.search(clause[max(0, c.start - 20) : c.start])
                )
            )
        if not targets:
            targets = list(
                dict.fromkeys(
                    c.code
                    for c in find_countries(sentence.text)
                    if c.code in ("RU", "BY") and c.code not in imposed
                )
            )
        if not targets and self.rounds:
            targets = [code for code in self.rounds[-1].targets if code not in imposed]
        if not targets:
            counts = Counter(
                c.code
                for c in self._all_countries()
                if c.code in rounds.USUAL_TARGETS and c.code not in imposed
            )
            targets = [counts.most_common(1)[0][0]] if counts else []
        return targets

    def _all_countries(self) -> list[CountryMention]:
        if self._text_countries is None:
            self._text_countries = find_countries(self.text)
        return self._text_countries

    @staticmethod
    def _same_round(one: Round, other: Round) -> bool:
        """The same round reported twice: same governments, targets and status, on the same
        day, or within a month where one names no sector the other lacks ("leaders agreed to
        the embargo on May 30" and "the EU adopted the package with the embargo on June 3")."""
        if (one.imposed_by, one.targets, one.facts.status) != (
            other.imposed_by,
            other.targets,
            other.facts.status,
        ):
            return False
        if one.when.start == other.when.start:
            return True
        close = abs((one.when.start - other.when.start).days) <= 31
        return (
            close
            and bool(other.facts.sectors)
            and set(other.facts.sectors) <= set(one.facts.sectors)
        )


def _short(person: Person) -> str:
    """How titles name a person: the surname, or the whole name where it has none ("bin")."""
    if re.search(r"\b(?:bin|ibn|bint|Al|al)\b", person.name):
        return person.name
    return person.surname or person.name


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def extract(
    text: str,
    published_on: date,
    context: Context,
    *,
    publisher: str | None = None,
    title: str | None = None,
    url: str | None = None,
) -> Draft:
    from sanctions_tracker.extraction.bundle import assemble

    extraction = Extraction(text, published_on, context)
    if not looks_english(text):
        empty = {
            "format": FORMAT,
            "sources": [],
            "actors": [],
            "engagements": [],
            "sanctions_rounds": [],
        }
        return Draft(
            empty, [], ["The text does not look like English prose; only English is read."]
        )
    extraction.run()
    return assemble(extraction, publisher=publisher, title=title, url=url)


_FUNCTION_WORDS = re.compile(r"\b(?:the|and|of|to|in|on|with|said|for|a)\b", re.IGNORECASE)


def looks_english(text: str) -> bool:
    """Enough English function words among the words (about one in four in news copy)."""
    words = re.findall(r"\w+", text[:20_000])
    if not words:
        return False
    return len(_FUNCTION_WORDS.findall(text[:20_000])) / len(words) >= 0.08


__all__ = ["City", "Draft", "Extraction", "Found", "Round", "When", "extract"]
