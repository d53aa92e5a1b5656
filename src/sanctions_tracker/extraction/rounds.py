# ruff: noqa: RUF001 - typographic quotes and dashes are what copy uses
"""Sanctions rounds: who imposes (or plans) which measures on whom, hitting which sectors.

A clause reports a round when it names an imposing government before a verb of imposing,
announcing or planning and a sanctions word ("sanctions", "package", "export controls", ...).
Talk about sanctions ("coordinate sanctions", "evade sanctions", "several rounds of sanctions")
is not a round."""

import re
from dataclasses import dataclass
from functools import lru_cache

from sanctions_tracker.enums import Measure
from sanctions_tracker.extraction.context import KnownSector
from sanctions_tracker.extraction.people import fold

VERB = re.compile(
    r"\b(?:impos(?:e|es|ed|ing)|announc(?:e|es|ed|ing)|unveil(?:s|ed|ing)?|adopt(?:s|ed|ing)?"
    r"|slapp?(?:ed|s)?|levied|introduc(?:e|es|ed|ing)|approv(?:e|es|ed|ing)|agreed|plans?"
    r"|planned|planning|prepar(?:e|es|ed|ing)|expand(?:s|ed|ing)?|widen(?:s|ed|ing)?"
    r"|tighten(?:s|ed|ing)?|rolled out|roll out|sanction(?:s|ed|ing)|froze|freez(?:e|es|ing)"
    r"|bann(?:ed|ing)|bans|blacklist(?:s|ed|ing)?|designat(?:e|es|ed|ing)|added|adds|add"
    r"|will (?:impose|announce|hit|target|sanction|ban)|is (?:readying|weighing|drafting)"
    r"|cut off|barred|restrict(?:s|ed|ing)?|follow(?:s|ed|ing)? (?:suit|with|up with)"
    r"|target(?:s|ed|ing)?|phas(?:e|es|ed|ing) out|end(?:s|ed|ing)?|halt(?:s|ed|ing)?"
    r"|stop(?:s|ped|ping)?|hit(?:s|ting)?|extend(?:s|ed|ing)?|finali[sz](?:e|es|ed|ing)"
    r"|unfroze|seiz(?:e|es|ed|ing)|clamp(?:s|ed|ing)? down|join(?:s|ed|ing)?|ban|block(?:s|ed|ing)?"
    r"|(?:took|takes|take) effect|(?:came|comes|come|entered|enters) into force)\b"
)
NOUN = re.compile(
    r"\bsanction(?:s|ed|ing)?\b|\bpackage\b|\bexport controls?\b|\bimport ban\b|\bprice cap\b"
    r"|\basset freezes?\b|\brestrictive measures\b|\bban(?:s|ned)? (?:on )?(?:\w+ ){0,2}(?:imports?"
    r"|exports?|purchases?)|\bEntity List\b|\bSDN\b|\bblacklist|\bfroze\b|\bfreez(?:e|es|ing)\b"
    r"|\bembargo(?:es)?\b|\btravel bans?\b|\b(?:export|import) bans?\b"
    r"|\b(?:end|halt|stop|phase out|phas(?:es|ed|ing) out|ban|wind down|cut)\w*\s+(?:all\s+|its\s+"
    r"|their\s+|the\s+)?(?:imports?|exports?|purchases?|sales?)\b",
    re.IGNORECASE,
)
NOT_A_ROUND = re.compile(
    r"\brounds of\b|\bseveral\b|\bseries of\b|\bevad|\bevasion\b|\bcircumvent|\bwould face\b"
    r"|\bcould face\b|\bthreaten|\bno new sanctions\b|\bnot (?:to )?(?:impose|join)\b"
    r"|\bcampaign of sanctions\b|\blift(?:ed|ing|s)? (?:the )?sanctions\b|\bsanctions relief\b"
    r"|\bcoordinat\w* sanctions\b|\bimpact of\b|\beffect of\b|\bunder sanctions\b"
    r"|\bhave imposed\b|\bhas imposed\b|\bsince\b|\bdiscuss\w*\b|\bways to\b|\bdespite\b"
    r"|\bin spite of\b|\bcould\b|\bmight\b|\bcalled (?:on|for)\b|\burg(?:e|es|ed|ing)\b",
    re.IGNORECASE,
)
PLANNED = re.compile(
    r"\bplans?\b|\bplanned\b|\bplanning\b|\bwill\b|\bwould\b|\bprepar\w+\b|\bproposed?\b"
    r"|\bconsidering\b|\bweighing\b|\bdrafting\b|\bready(?:ing)?\b|\bexpected to\b|\bnext\b",
    re.IGNORECASE,
)
IN_FORCE = re.compile(
    r"\btook effect\b|\bcame into force\b|\bentered into force\b|\bin force\b", re.IGNORECASE
)
MEASURES: list[tuple[Measure, re.Pattern[str]]] = [
    (
        Measure.asset_freeze,
        re.compile(
            r"asset freeze|froze|freez|blocked|blocking|designat|"
            r"blacklist|SDN",
            re.IGNORECASE,
        ),
    ),
    (
        Measure.travel_ban,
        re.compile(r"travel bans?|visa|entry ban|barr\w* from (?:travel|entering)", re.IGNORECASE),
    ),
    (
        Measure.export_controls,
        re.compile(
            r"export control|export bans?|(?:ban|halt|stop|end)\w* (?:on )?(?:all |the )?"
            r"exports? (?:to|of)|Entity List",
            re.IGNORECASE,
        ),
    ),
    (
        Measure.import_ban,
        re.compile(
            r"import bans?|embargo|(?:ban|halt|stop|end|phas\w* out|cut)\w* (?:on )?(?:\w+ ){0,2}"
            r"(?:imports?|purchases?)|imports? of",
            re.IGNORECASE,
        ),
    ),
    (
        Measure.investment_ban,
        re.compile(r"new investments?|investment bans?|ban\w* (?:on )?investment", re.IGNORECASE),
    ),
    (Measure.swift_exclusion, re.compile(r"\bSWIFT\b")),
    (
        Measure.sovereign_debt,
        re.compile(r"sovereign debt|government bonds|central bank", re.IGNORECASE),
    ),
    (Measure.price_cap, re.compile(r"price cap", re.IGNORECASE)),
    (
        Measure.services_ban,
        re.compile(r"(?:accounting|consulting|trust|legal|IT) services", re.IGNORECASE),
    ),
    (
        Measure.transport_ban,
        re.compile(r"\bports?\b|airspace|flights|hauliers|truck", re.IGNORECASE),
    ),
    (
        Measure.financial_restrictions,
        re.compile(
            r"correspondent|transactions with|capital "
            r"markets|debt and equity",
            re.IGNORECASE,
        ),
    ),
]
# Words copy uses for sectors, with the keys they may be stored under, the specific first: a
# store without "gold-diamonds" files gold under its parent "metals-mining" (or "mining").
SECTOR_TERMS: dict[str, tuple[str, ...]] = {
    r"military supply chains?": ("military-supply-chains", "defense-industry", "defense"),
    r"supply chains? (?:of|for) (?:the )?military|military (?:end.users?|suppliers)": (
        "military-supply-chains",
        "defense-industry",
        "defense",
    ),
    r"defen[cs]e (?:industry|industrial|companies|sector|firms|conglomerates?|contractors?)"
    r"|arms (?:makers|manufacturers|exporters?)|weapons makers|Rostec": (
        "defense-industry",
        "defense",
    ),
    r"\bbanks?\b|banking|lenders?|Sberbank|VTB|Alfa-Bank|Gazprombank": ("banking", "finance"),
    r"sovereign debt|government bonds|central bank": ("sovereign-debt", "finance"),
    r"\bSWIFT\b": ("financial-messaging", "banking", "finance"),
    r"crypto": ("crypto-assets", "finance"),
    r"\boil\b|crude|petroleum|refin": ("oil", "energy"),
    r"\bgas\b|\bLNG\b": ("gas", "energy"),
    r"\bcoal\b": ("coal", "energy"),
    r"semiconductors?|microelectronics|\bchips?\b|electronics": ("microelectronics", "technology"),
    r"dual.use|quantum": ("dual-use-goods", "technology"),
    r"aerospace": ("aerospace",),
    r"airlines?|aviation|aircraft|airspace|jet fuel": ("aviation", "aerospace", "transport"),
    r"shipping|vessels|\bports?\b|maritime|marine": ("maritime-shipping", "transport"),
    r"hauliers|road transport|trucks?": ("road-transport", "transport"),
    r"\bmining\b|\bmetals?\b|aluminium|aluminum|copper|nickel": (
        "metals-mining",
        "mining",
        "metals",
    ),
    r"\bsteel\b|\biron\b": ("iron-steel", "metals-mining", "metals"),
    r"\bgold\b|diamonds?|Alrosa|precious (?:metals|stones)": (
        "gold-diamonds",
        "gold",
        "precious-metals",
        "metals-mining",
        "mining",
        "metals",
    ),
    r"luxury": ("luxury-goods",),
    r"seafood|vodka|spirits|\bwood\b|cement": ("food-beverages",),
    r"chemicals?|fertili[sz]ers?": ("chemicals",),
    r"accounting|consulting|public relations": ("services",),
    r"state media|broadcast|\bRT\b|Sputnik|propaganda": ("media",),
    r"Duma|lawmakers|legislators|parliamentarians|(?:government|state|senior|Russian) officials"
    r"|ministers": ("government",),
    r"oligarchs?|tycoons?|billionaires?|elites?": ("elites",),
    r"\benergy\b": ("energy",),
    r"\btechnology\b|\btech\b": ("technology",),
}
# Words of a stored sector's name too general to stand for it alone ("Natural gas and LNG"
# is found by "gas", not by "natural").
GENERIC_WORDS = {
    "and",
    "or",
    "of",
    "the",
    "other",
    "goods",
    "products",
    "consumer",
    "imports",
    "exports",
    "base",
    "chains",
    "chain",
    "supply",
    "assets",
    "business",
    "professional",
    "industrial",
    "civil",
    "natural",
    "precious",
    "stones",
    "state",
    "services",
    "messaging",
    "transport",
    "officials",
    "government",
    "industry",
    "sector",
    "use",
    "dual",
    "road",
    "central",
    "debt",
}
LEGAL_BASIS = re.compile(
    r"\b(?:E\.O\.|Executive Order|EO)\s*\d{5}\b|Council (?:Regulation|Decision|Implementing "
    r"Regulation) \((?:EU|CFSP)\) (?:No )?\d+/\d+|Special Economic Measures Act"
)
DESIGNATIONS = re.compile(
    r"\b(\d{1,4})\s+(?:more\s+|additional\s+|Russian\s+|new\s+)?(?:individuals|entities|people"
    r"|persons|companies|banks|oligarchs|vessels|firms|organizations|organisations)\b"
)


# Where a round's own words end: a participle or relative tail that puts it in context
# ("..., adding to the measures imposed since the invasion") or the attribution ("...,
# officials said", "..., Treasury Secretary Janet Yellen said on Friday, after ...").
TAIL = re.compile(
    r",\s+(?:adding to|bringing|on top of|following|after|which|amid|as part of|the latest"
    r"|in response to|in retaliation for|in a (?:move|bid|step)|a (?:move|step) that|as|while)\b"
    r"|\s+(?:over|because of|in response to|in retaliation for|for (?:its|their|his|her) (?:role"
    r"|support|part))\s"
    r"|,\s+(?:[\w.’'-]+\s+){0,6}(?:said|says|told|announced|according to|reported)\b"
    r"|\s+(?:according to|officials said|(?:a|the) \w+ said)\b",
    re.IGNORECASE,
)
# "Japan froze the assets of ..., and said it would phase out imports" and "..., and Canada
# said it would ban exports": a second round begins at its subject.
SECOND_ROUND = re.compile(
    r",?\s+and\s+(?:also\s+)?(?:said|announced|added|pledged|vowed|promised)\s+(?:that\s+)?"
    r"(?P<subject>it|they|the bloc|the government)\b"
    r"|,\s+(?:and|while|but)\s+(?P<named>(?:the\s+)?(?:[A-Z][\w.]*\s+){1,3})(?=(?:also\s+)?"
    r"(?:said|announced|added|pledged|vowed|promised|plans?|will|would|is|has|imposed|unveiled"
    r"|adopted|banned|froze|slapped|blacklisted)\b)",
)
# A sentence that goes on about the previous round's government: "It also froze ...".
SAME_IMPOSER = re.compile(
    r"^\s*(?:It|They|The bloc|The government|The ministry|The department|The (?:\w+ )?"
    r"measures?|The package)\b"
)
# A demonym stands for its government before these: "British and Canadian authorities".
GOVERNMENT_AFTER = re.compile(
    r"^(?:\s*(?:,|and)\s*[A-Z][a-z]+)*\s+(?:governments?|authorities|Treasury|ministry"
    r"|Foreign Office|foreign ministry|finance ministry|officials)\b"
)
# A country that is not a usual target is one only where the text says so.
TARGETED = re.compile(r"\b(?:on|against|targeting|to|over|of)\s+(?:the\s+)?$", re.IGNORECASE)
USUAL_TARGETS = ("RU", "BY", "IR", "KP", "SY", "VE", "CN", "MM")


def own_words(clause: str) -> str:
    """The part of a clause that reports the round, without its context or attribution."""
    match = TAIL.search(clause)
    return clause[: match.start()] if match else clause


def parts(clause: str) -> list[tuple[int, int]]:
    """The clause cut where "and said it would ..." starts another round (from its subject)."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for match in SECOND_ROUND.finditer(clause):
        bounds.append((start, match.start()))
        start = match.start("subject") if match.group("subject") else match.start("named")
    bounds.append((start, len(clause)))
    return [(a, b) for a, b in bounds if b > a]


# "Japan will join the price cap": a definite reference to a measure an earlier round named.
SAME_MEASURE = re.compile(
    r"\bthe (?:oil |gas )?(?:price cap|embargo|import ban|export ban|ban|package|measures)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RoundFacts:
    status: str
    measures: list[Measure]
    sectors: list[str]
    legal_basis: str | None
    designations: int | None


def is_round(clause: str) -> re.Match[str] | None:
    """The verb of a clause that reports a round, or None. Only the clause's own words count:
    a context tail ("adding to the measures imposed since ...") does not unmake a round."""
    words = own_words(clause)
    if not NOUN.search(words) or NOT_A_ROUND.search(words):
        return None
    return VERB.search(words)


def _plural_pattern(word: str) -> str:
    stem = re.escape(word)
    if word.endswith("s"):
        return rf"{stem}|{re.escape(word[:-1])}"
    return rf"{stem}(?:s|es)?"


@lru_cache(maxsize=512)
def _name_patterns(sector: KnownSector, known: frozenset[str]) -> list[re.Pattern[str]]:
    """The stored name whole, and the head word of each of its coordinated parts, in singular
    or plural: "Gold, diamonds and precious stones" is found by "gold", "diamonds", "stones";
    "Military supply chains" only by its whole name (a modifier like "military" is not enough)."""
    patterns = [re.compile(rf"\b{re.escape(sector.name)}\b", re.IGNORECASE)]
    phrases = re.split(r",|\band\b|\bor\b|[()]", sector.name)
    seen: set[str] = set()
    for phrase in phrases:
        words = re.findall(r"[A-Za-z]+", phrase)
        if not words:
            continue
        head = words[-1].lower()
        if len(head) < 3 or head in GENERIC_WORDS or head in seen:
            continue
        seen.add(head)
        # A word that copy uses for another sector does not stand for this one ("bank" in
        # "Sovereign debt and central bank" is banking's word, where the store has banking).
        if any(
            sector.key not in keys
            and any(key in known for key in keys)
            and re.search(term, head, re.IGNORECASE)
            for term, keys in SECTOR_TERMS.items()
        ):
            continue
        patterns.append(re.compile(rf"\b(?:{_plural_pattern(head)})\b", re.IGNORECASE))
    return patterns


# Words that mean a sector only in capitals ("swift" action is not SWIFT).
CASED_TERMS = {r"\bSWIFT\b", r"\bLNG\b"}


@lru_cache(maxsize=16)
def _sector_matchers(sectors: tuple[KnownSector, ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Every way the store's sectors are named, with the key each files under: the stored
    names and their words, then usual wording under the most specific key the store has."""
    known = {sector.key for sector in sectors}
    matchers: list[tuple[re.Pattern[str], str]] = []
    for sector in sectors:
        matchers.extend(
            (pattern, sector.key) for pattern in _name_patterns(sector, frozenset(known))
        )
    for term, candidates in SECTOR_TERMS.items():
        key = next((key for key in candidates if key in known), None)
        if key is not None:
            flags = 0 if term in CASED_TERMS else re.IGNORECASE
            matchers.append((re.compile(term, flags), key))
    return tuple(matchers)


def sectors_in(text: str, sectors: tuple[KnownSector, ...]) -> list[str]:
    """Stored sector keys the text names: by the stored name or its words, or by the usual
    wording, filed under the most specific key the store has."""
    found: list[tuple[int, str]] = []
    for pattern, key in _sector_matchers(sectors):
        match = pattern.search(text)
        if match:
            found.append((match.start(), key))
    ordered: list[str] = []
    for _, key in sorted(found):
        if key not in ordered:
            ordered.append(key)
    # A specific sector makes its generic parent redundant ("oil" needs no "energy").
    parents = {sector.key: sector.parent for sector in sectors}
    return [key for key in ordered if key not in {parents.get(other) for other in ordered}]


def sectors_near(
    text: str, measures: set[Measure], sectors: tuple[KnownSector, ...], reach: int = 80
) -> list[str]:
    """The sectors named just after where `text` names one of `measures` ("a price cap on
    Russian oil" -> oil), not every sector of its sentence."""
    found: list[str] = []
    for measure, pattern in MEASURES:
        if measure not in measures:
            continue
        for match in pattern.finditer(text):
            window = re.split(r"[,;]", text[match.start() : match.end() + reach], maxsplit=1)[0]
            for key in sectors_in(window, sectors):
                if key not in found:
                    found.append(key)
    return found


def facts(clause: str, sectors: tuple[KnownSector, ...]) -> RoundFacts:
    clause = own_words(clause)
    status = "planned" if PLANNED.search(clause) else "announced"
    if IN_FORCE.search(clause):
        status = "in_force"
    measures = [measure for measure, pattern in MEASURES if pattern.search(clause)]
    legal = LEGAL_BASIS.search(clause)
    numbers = [int(match.group(1)) for match in DESIGNATIONS.finditer(clause)]
    return RoundFacts(
        status=status,
        measures=measures,
        sectors=sectors_in(clause, sectors),
        legal_basis=legal.group(0) if legal else None,
        designations=sum(numbers) if numbers else None,
    )


def fold_key(text: str) -> str:
    return fold(text)
