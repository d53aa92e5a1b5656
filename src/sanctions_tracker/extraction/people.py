# ruff: noqa: RUF001 - typographic quotes and dashes are what copy uses
"""People: stored actors found by name, alias, surname or title; new ones proposed with the
title and country the text gives them.

A new person is only proposed where the text introduces them the way copy does: after a title
("Russian Deputy Foreign Minister Sergei Ryabkov") or with one in apposition ("Josep Borrell,
the EU's foreign policy chief"). A capitalised pair of words alone is too often a place, a
body or the start of a sentence."""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sanctions_tracker.extraction.context import Context, KnownActor
from sanctions_tracker.extraction.lexicon import DEMONYMS, find_countries
from sanctions_tracker.extraction.places import city

TITLE_HEADS = (
    "secretary",
    "minister",
    "president",
    "chancellor",
    "premier",
    "prince",
    "princess",
    "king",
    "queen",
    "emir",
    "sultan",
    "sheikh",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "adviser",
    "advisor",
    "ambassador",
    "envoy",
    "commissioner",
    "governor",
    "senator",
    "chief",
    "director",
    "chair",
    "chairman",
    "chairwoman",
    "representative",
    "treasurer",
    "leader",
    "deputy",
    "counselor",
    "counsellor",
    "coordinator",
    "undersecretary",
    "mayor",
    "head",
    "taoiseach",
    "vice",
    "official",
    "negotiator",
    "diplomat",
    "general",
)
# Lower-case words that may sit inside a title phrase ("deputy national security adviser
# for international economics").
TITLE_WORDS = set(TITLE_HEADS) | {
    "foreign",
    "affairs",
    "national",
    "security",
    "for",
    "of",
    "international",
    "economics",
    "economic",
    "trade",
    "defence",
    "defense",
    "finance",
    "financial",
    "external",
    "policy",
    "state",
    "treasury",
    "department",
    "ministry",
    "deputy",
    "prime",
    "crown",
    "top",
    "assistant",
    "under",
    "permanent",
    "principal",
    "press",
    "senior",
    "special",
    "commerce",
    "energy",
    "interior",
    "justice",
    "economy",
    "and",
    "the",
    "european",
    "union",
    "high",
    "first",
    "executive",
    "white",
    "house",
    "council",
    "cabinet",
    "sanctions",
    "terrorism",
    "intelligence",
    "supreme",
    "armed",
    "forces",
    "commander",
    "development",
    "cooperation",
    "presidential",
    "administration",
    "acting",
    "outgoing",
}
HONORIFICS = {
    "sheikh",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sir",
    "dame",
    "lord",
    "lady",
    "prince",
    "king",
    "queen",
    "emir",
    "sultan",
    "president",
    "secretary",
    "minister",
}
PARTICLES = {
    "bin",
    "bint",
    "ibn",
    "al",
    "el",
    "von",
    "van",
    "der",
    "den",
    "de",
    "da",
    "di",
    "du",
    "la",
    "le",
    "del",
    "dos",
    "ben",
    "abu",
}
# Capitalised words that start a name-looking pair but are never a person's first name.
NOT_NAMES = {
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "But",
    "And",
    "He",
    "She",
    "They",
    "It",
    "This",
    "That",
    "Mr",
    "Mrs",
    "Ms",
    "State",
    "Department",
    "Treasury",
    "Ministry",
    "Office",
    "Council",
    "House",
    "Commission",
    "Union",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Reuters",
    "NATO",
    "Foreign",
    "Secretary",
    "Minister",
    "President",
    "Prime",
    "Deputy",
    "Crown",
    "Prince",
    "General",
    "Affairs",
    "Defence",
    "Defense",
    "Security",
    "National",
    "Sanctions",
    "Group",
    "Seven",
    "Summit",
    "Ministers",
    "Meeting",
    "Bank",
    "Fund",
    "Forces",
    "Federation",
    "Republic",
    "Kingdom",
    "Parliament",
    "Congress",
    "Senate",
    "Duma",
    "Kremlin",
    "Chancellor",
    "Spokesperson",
    "Ambassador",
    "Envoy",
    "Commissioner",
    "Director",
    "Chief",
    "Agency",
    "Economic",
    "Energy",
    "Trade",
    "Finance",
    "Financial",
    "Assistant",
    "Under",
    "Press",
    "Readout",
    "Statement",
    "Joint",
    "Executive",
    "Order",
    "Regulation",
    "Decision",
    "Sheikh",
    "Washington",
    "Moscow",
    "London",
    "Brussels",
    "Paris",
    "Berlin",
    "Kyiv",
    "Tokyo",
    "Beijing",
    "European",
    "Special",
    "Senior",
    "High",
    "Representative",
    "Vice",
    "Supreme",
    "Emirates",
    "United",
    "Arab",
    "New",
    "Ukraine",
    "Russia",
    "China",
    "India",
    "Japan",
    "Britain",
    "Canada",
    "Australia",
    "Germany",
    "France",
    "Italy",
    "Poland",
    "Belgium",
}
_WORD = r"(?:[A-Z][a-zà-ÿ'’]+(?:-[A-Z]?[a-zà-ÿ'’]+)*|[A-Z]\.)"
_PARTICLE = r"(?:bin|bint|ibn|al-|al|Al|Al-|el-|von|van|der|den|de|da|di|du|la|le|del|dos|ben|Abu)"
NAME = re.compile(rf"{_WORD}(?:\s+(?:{_PARTICLE}\s*)?{_WORD}){{1,8}}")
TITLE_ONLY = re.compile(
    r"\b[Tt]he\s+(?P<title>(?:(?:[A-Z][a-z]+|U\.S\.)\s+){0,3}(?:Secretary|Minister|Prince|"
    r"President|Chancellor|Premier|Emir|King|Ambassador|Envoy|Spokesperson|Commissioner|"
    r"Secretary General|Secretary-General))\b(?!\s+(?:of\s+)?[A-Z])"
)


# Offices whose title alone says the country, when the text names no other: the cabinet and
# White House titles of Washington, the great offices of state of London, Tokyo's government
# spokesman. Matched against the folded title, anywhere in it ("Deputy Secretary of State").
TITLE_COUNTRIES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"\bsecretary of (?:state|the treasury|commerce|defense|energy|homeland security"
            r"|agriculture|labor|transportation|the interior|health and human services)\b"
            r"|\b(?:treasury|commerce|defense|energy|homeland security|agriculture) secretary\b"
            r"|\bnational security advis[eo]r\b|\bwhite house\b|\bstate department\b"
            r"|\btrade representative\b|\battorney general\b|\bundersecretary\b"
            r"|\bunder secretary of (?:state|the treasury|commerce|defense)\b"
        ),
        "US",
    ),
    (
        re.compile(
            r"\b(?:foreign|home|defence|business|trade|culture|northern ireland) secretary\b"
            r"|\bchancellor of the exchequer\b|\bforeign office minister\b"
        ),
        "GB",
    ),
    (re.compile(r"\bchief cabinet secretary\b"), "JP"),
    (re.compile(r"\btaoiseach\b"), "IE"),
]


def title_country(title: str) -> str | None:
    """The country an office belongs to by its title alone, if the title says it."""
    folded = " ".join(re.sub(r"[-‐’'.,]", " ", title.casefold()).split())
    for pattern, code in TITLE_COUNTRIES:
        if pattern.search(folded):
            return code
    return None


def title_heads(title: str) -> set[str]:
    """The forms a second reference uses for a title: the whole of it and its head before
    "of"/"for" ("Secretary of State" is "the Secretary")."""
    folded = fold(title)
    heads = {folded}
    for joint in (" of ", " for ", " to "):
        if joint in folded:
            heads.add(folded.split(joint, 1)[0])
    return {head for head in heads if head}


def answers_to(title: str, wanted: str) -> bool:
    """Whether "the <wanted>" can name the holder of `title`: "the Secretary" names the
    Secretary of State, not a deputy or assistant secretary."""
    for head in title_heads(title):
        if head == wanted:
            return True
        if head.endswith(" " + wanted):
            before = head[: -len(wanted) - 1].split()[-1]
            if before not in {"deputy", "vice", "assistant", "under", "acting", "principal"}:
                return True
    return False


COUNTERPART = re.compile(
    r"\b(?P<country>(?:U\.S\.|UK|EU|[A-Z][a-z]+(?: [A-Z][a-z]+)?))\s+counterparts?,?\s*$"
)


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[-‐’'.]", " ", plain).split())


def slug(text: str, limit: int = 60) -> str:
    value = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return value[:limit].strip("-") or "x"


@dataclass
class Person:
    key: str
    name: str
    known: bool
    title: str | None = None
    country: str | None = None
    organizations: tuple[str, ...] = ()
    surname: str = ""
    titles: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class PersonMention:
    start: int
    end: int
    person: Person
    possessive: bool


def _surname(name: str) -> str:
    tokens = [
        token
        for token in name.replace(",", " ").split()
        if token.lower() not in {"jr.", "jr", "sr.", "iii", "ii"}
    ]
    return tokens[-1].strip(".") if tokens else name


def _variants(actor: KnownActor) -> set[str]:
    names = {actor.name, *actor.aliases}
    variants = set()
    for name in names:
        variants.add(name)
        words = name.split()
        while words and words[0].strip(".").lower() in HONORIFICS:
            words = words[1:]
        if len(words) >= 2:
            variants.add(" ".join(words))
    return {variant for variant in variants if len(variant) >= 4}


class People:
    """The people of one text, in the order the text introduces them."""

    def __init__(self, context: Context, published_on: date) -> None:
        self.published_on = published_on
        self.by_key: dict[str, Person] = {}
        self.known = {actor.key: actor for actor in context.actors}
        self.taken = set(context.taken_keys.get("actors", frozenset())) | set(self.known)
        self.org_country = {org.key: org.country for org in context.organizations}
        self.org_names = sorted(
            (
                (name, org.country)
                for org in context.organizations
                for name in (org.name, *org.aliases)
            ),
            key=lambda item: -len(item[0]),
        )
        forms: dict[str, str] = {}
        for actor in context.actors:
            for variant in _variants(actor):
                forms.setdefault(fold(variant), actor.key)
        self.forms = forms
        self.mentioned: list[Person] = []
        self._pattern = self._compile(forms)
        surnames: dict[str, list[str]] = {}
        for actor in context.actors:
            surnames.setdefault(_surname(actor.name), []).append(actor.key)
        self.unique_surnames = {name: keys[0] for name, keys in surnames.items() if len(keys) == 1}

    @staticmethod
    def _compile(forms: dict[str, str]) -> re.Pattern[str] | None:
        if not forms:
            return None
        parts = sorted(forms, key=len, reverse=True)
        body = "|".join(
            r"[-‐’'.\s]*".join(re.escape(word) for word in form.split()) for form in parts
        )
        return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", re.IGNORECASE)

    def _known_person(self, key: str) -> Person:
        person = self.by_key.get(key)
        if person is None:
            actor = self.known[key]
            held = [p for p in actor.positions if p.held_on(self.published_on)] or list(
                actor.positions
            )
            person = Person(
                key=key,
                name=actor.name,
                known=True,
                title=held[0].title if held else None,
                country=actor.country,
                organizations=tuple(p.organization for p in held if p.organization),
                surname=_surname(actor.name),
                titles={fold(p.title) for p in actor.positions},
            )
            self.by_key[key] = person
        return person

    def _note(self, person: Person) -> None:
        if person not in self.mentioned:
            self.mentioned.append(person)

    def find(self, text: str) -> list[PersonMention]:
        """The people `text` (one sentence) names, leftmost first."""
        mentions: list[PersonMention] = []

        def free(start: int, end: int) -> bool:
            return not any(start < m.end and m.start < end for m in mentions)

        def add(start: int, end: int, person: Person) -> None:
            possessive = text[end : end + 2] in ("'s", "’s")
            mentions.append(PersonMention(start, end, person, possessive))

        if self._pattern is not None:
            for match in self._pattern.finditer(text):
                key = self.forms.get(fold(match.group(0)))
                if key is not None:
                    add(match.start(), match.end(), self._known_person(key))
        for match in NAME.finditer(text):
            start, end, name = self._trim(text, match.start(), match.end())
            if name is None or not free(start, end):
                continue
            title, country = self._title_before(text, start)
            if title is None:
                title, country = self._title_after(text, end)
            if title is None:
                counterpart = COUNTERPART.search(text[:start])
                if counterpart is None:
                    continue
                # "her Australian counterpart Marise Payne": a person, of that country, whose
                # title the text leaves to the reader.
                found = find_countries(counterpart.group("country"))
                country = found[0].code if found else None
                add(start, end, self._new_person(name, None, country))
                continue
            add(start, end, self._new_person(name, title, country))
        self._surnames(text, mentions, free, add)
        self._titles_only(text, free, add)
        mentions.sort(key=lambda mention: mention.start)
        for mention in mentions:
            self._note(mention.person)
        return mentions

    def _trim(self, text: str, start: int, end: int) -> tuple[int, int, str | None]:
        if text[end - 2 : end] in ("'s", "’s"):
            end -= 2
        words = list(re.finditer(r"\S+", text[start:end]))

        def titleish(word: str) -> bool:
            bare = word.strip(".,").removesuffix("’s").removesuffix("'s")
            return (
                bare in NOT_NAMES
                or fold(bare) in TITLE_WORDS
                or bare in DEMONYMS
                or word in ("U.S.", "UK", "EU", "U.K.", "S.")
            )

        # The name is what follows the last title-like word: "U.S. Treasury Secretary Janet
        # Yellen" -> "Janet Yellen".
        last = max((i for i, word in enumerate(words) if titleish(word.group(0))), default=-1)
        words = words[last + 1 :]
        while words and words[-1].group(0).strip(".,") in NOT_NAMES:
            words = words[:-1]
        if len(words) < 2 or (words[-1].group(0).endswith(".") and len(words[-1].group(0)) <= 2):
            return start, end, None
        if words[0].group(0).lower() in PARTICLES:
            return start, end, None
        new_start, new_end = start + words[0].start(), start + words[-1].end()
        return new_start, new_end, text[new_start:new_end]

    def _title_before(self, text: str, start: int) -> tuple[str | None, str | None]:
        before = text[:start]
        tokens = re.findall(r"[\w.’'-]+|[,;:()“”\"]", before)
        phrase: list[str] = []
        for index in range(len(tokens) - 1, -1, -1):
            token = tokens[index]
            if token == "and" and index > 0 and self._ends_a_name(tokens[index - 1]):
                break  # "Iranian President Ebrahim Raisi and Turkish President": not one title
            if token in {",", ";", ":", "(", ")", "“", "”", '"'}:
                if phrase:
                    break
                # "adviser for international economics, Daleep Singh,": the title before a comma
                continue
            base = token.removesuffix("’s").removesuffix("'s")
            if base[:1].isupper() or fold(base) in TITLE_WORDS:
                phrase.append(token)
                continue
            break
        phrase.reverse()
        while phrase and fold(phrase[0]) in {"the", "and", "of", "for"}:
            phrase = phrase[1:]
        if not any(
            fold(word.removesuffix("’s").removesuffix("'s")) in TITLE_HEADS for word in phrase
        ):
            return None, None
        return self._title_and_country(" ".join(phrase))

    @staticmethod
    def _ends_a_name(token: str) -> bool:
        base = token.removesuffix("’s").removesuffix("'s").strip(".")
        return (
            base[:1].isupper()
            and fold(base) not in TITLE_WORDS
            and base not in DEMONYMS
            and base not in NOT_NAMES
        )

    def _title_after(self, text: str, end: int) -> tuple[str | None, str | None]:
        match = re.match(r",\s+(?:the|a|an)?\s*([^,;.]{3,90}?)(?=,|;|\.|\s+said|$)", text[end:])
        if match is None:
            return None, None
        phrase = match.group(1)
        words = [fold(word) for word in phrase.split()]
        if not any(word in TITLE_HEADS for word in words) or len(words) > 10:
            return None, None
        return self._title_and_country(phrase)

    def _title_and_country(self, phrase: str) -> tuple[str | None, str | None]:
        """ "U.S. Deputy Treasury Secretary" -> ("Deputy Treasury Secretary", "US"); a leading
        city stands for its country ("Abu Dhabi Crown Prince" -> AE) and stays in the title."""
        phrase = phrase.strip(" ,")
        country = None
        # A capital in a title is a place ("Abu Dhabi Crown Prince" is handled below), but an
        # institution stands for its country ("Kremlin spokesman", "White House adviser").
        leading = [
            m
            for m in find_countries(phrase)
            if m.form != "metonym" or city(phrase[m.start : m.end]) is None
        ]
        if leading and leading[0].start == 0:
            country = leading[0].code
            # "Britain's Foreign Secretary": drop the possessive, not the title's first letter.
            rest = re.sub(r"^(?:['’]s\b)?\s*", "", phrase[leading[0].end :]).strip()
            if rest:
                phrase = rest
        elif leading:
            country = leading[0].code
        if country is None:
            words = phrase.split()
            for size in (3, 2, 1):
                place = city(" ".join(words[:size])) if len(words) > size else None
                if place is not None:
                    country = place.country
                    break
        if country is None:
            for name, org_country in self.org_names:
                if org_country and re.search(rf"(?<!\w){re.escape(name)}(?!\w)", phrase):
                    country = org_country
                    break
        if country is None:
            country = title_country(phrase)
        return phrase or None, country

    def _new_person(self, name: str, title: str | None, country: str | None) -> Person:
        key = fold(name)
        for person in self.by_key.values():
            if not person.known and fold(person.name) == key:
                return person
        for actor_key in self._title_matches(title) if title else []:
            actor = self.known[actor_key]
            if _surname(actor.name) == _surname(name):
                return self._known_person(actor_key)
        base = slug(name)
        candidate, number = base, 2
        while candidate in self.taken:
            candidate, number = f"{base}-{number}", number + 1
        self.taken.add(candidate)
        titles = {fold(title)} if title else set()
        person = Person(candidate, name, False, title, country, (), _surname(name), titles)
        self.by_key[candidate] = person
        return person

    def _title_matches(self, title: str) -> list[str]:
        wanted = fold(title)
        return [
            actor.key
            for actor in self.known.values()
            if any(
                fold(p.title).endswith(wanted)
                or wanted.endswith(fold(p.title))
                or answers_to(p.title, wanted)
                for p in actor.positions
            )
        ]

    def _surnames(
        self,
        text: str,
        mentions: list[PersonMention],
        free: Callable[[int, int], bool],
        add: Callable[[int, int, Person], None],
    ) -> None:
        candidates: dict[str, Person] = {p.surname: p for p in self.mentioned if p.surname}
        for match in re.finditer(r"\b[A-Z][a-zà-ÿ'’-]+\b", text):
            surname = match.group(0).removesuffix("’s").removesuffix("'s")
            end = match.start() + len(surname)
            if not free(match.start(), end):
                continue
            person = candidates.get(surname)
            if person is None:
                key = self.unique_surnames.get(surname)
                before = text[: match.start()].split()[-1:] if text[: match.start()].strip() else []
                if key is None or not before or fold(before[0]) not in TITLE_HEADS:
                    continue
                person = self._known_person(key)
            add(match.start(), end, person)

    def _titles_only(
        self,
        text: str,
        free: Callable[[int, int], bool],
        add: Callable[[int, int, Person], None],
    ) -> None:
        for match in TITLE_ONLY.finditer(text):
            if not free(match.start(), match.end()):
                continue
            wanted = fold(match.group("title"))
            person = next(
                (
                    p
                    for p in reversed(self.mentioned)
                    if any(answers_to(t, wanted) for t in p.titles | {fold(p.title or "")})
                ),
                None,
            )
            if person is None:
                keys = [
                    key
                    for key in self._title_matches(match.group("title"))
                    if any(
                        answers_to(p.title, wanted) and p.held_on(self.published_on)
                        for p in self.known[key].positions
                    )
                ]
                if len(keys) != 1:
                    continue
                person = self._known_person(keys[0])
            add(match.start("title"), match.end("title"), person)
