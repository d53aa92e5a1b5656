# ruff: noqa: RUF001 - typographic quotes and dashes are what copy uses
"""What kind of engagement a clause reports, and how sure the rule is.

Each rule is a phrase copy uses for one kind: "spoke by phone" is a call, "met" or "held talks"
a meeting, "traveled to" with several cities a trip, "foreign ministers' meeting" a ministerial,
"said in a statement" a statement. "A and B discussed ..." with no place is a call (readouts
of calls read that way); with a place it is a meeting."""

import re

CALL = re.compile(
    r"\b(?:spoke|speaks|speak|talked|talks?|spoken)\s+(?:by|over the|on the)\s+(?:tele)?phone\b"
    r"|\bphone(?:d)?\b|\btelephon(?:ed|es|ing)\b|\b(?:tele)?phone (?:call|conversation|talks)\b"
    r"|\bon a (?:phone |video |"
    r"telephone |virtual )?call\b|\bcall (?:with|to)\b|\bvideo ?(?:call|conference|link)\b"
    r"|\bvirtual(?:ly)? (?:meeting|met|talks)\b|\bspoke(?: \w+){0,3} (?:with|to)\b"
    r"|\bheld a call\b|\bcalled (?=[A-Z])"
)
MEETING = re.compile(
    r"\b(?:met|meets|meet|meeting)(?: \w+){0,2} with\b|\bmet\b|\bmeets\b|\bheld talks\b"
    r"|\bhold talks\b|\btalks with\b|\bhosted\b|\bhosts\b|\bwelcomed\b|\breceived\b"
    r"|\bsat down with\b|\bbilateral meeting\b|\bwill meet\b|\bto meet\b"
)
DISCUSSED = re.compile(r"\bdiscuss(?:ed|es|ing)?\b|\bconferred\b")
TRAVEL = re.compile(
    r"\btravel(?:l)?(?:ed|s|ing)? to\b|\bwill travel to\b|\bvisit(?:ed|s|ing)?\b|\barrived in\b"
    r"|\barrives in\b|\bheads? to\b|\bheaded to\b|\bflew to\b|\btrip to\b|\btour of\b|\bwent to\b"
)
THEN_MET = re.compile(
    r"\s+and\s+(?:then\s+|later\s+|also\s+)?(?:met|meets|held talks with|holds talks with"
    r"|sat down with)\b"
)
TRIP = re.compile(r"\btrip\b|\btour\b|\bswing through\b")
STATEMENT = re.compile(
    r"\bsaid in a (?:written |joint )?statement\b|\b(?:issued|released) a (?:joint |written )?"
    r"statement\b|\breadout\b|\battributable to\b|\bjoint statement\b|\bstatement (?:by|from)\b"
)
SAID = re.compile(r"\b(?:said|says|told|stated|wrote|added|noted)\b")
SPOKES = re.compile(r"spokes|press secretary", re.IGNORECASE)
GATHERING = re.compile(
    r"(?P<body>\b(?:NATO|G7|G-7|G20|G-20|Group of Seven|Group of 20|EU|European Union|Quad|ASEAN"
    r"|OSCE|OPEC\+?|EU-\w+|Nordic|Baltic)\b[’']?)?\s*(?P<who>\b(?:foreign|defen[cs]e|finance|trade"
    r"|energy|economy|economic|interior|justice)\b)?\s*\b(?:ministers?[’']?\s+(?:meeting|talks|"
    r"conference|gathering)|ministerial(?: meeting)?|Ministerial(?: meeting)?|ministers will meet"
    r"|ministers met)\b"
    r"|\bmeeting of (?:the )?(?P<mbody>NATO|G7|G-7|G20|G-20|Group of Seven|Group of 20|EU|"
    r"European Union|ASEAN|OSCE)?\s*(?:foreign|defen[cs]e|finance|trade|energy|economy) ministers\b"
    r"|(?P<sbody>\b(?:NATO|G7|G-7|G20|G-20|Group of Seven|EU|European Union|Quad|ASEAN|"
    r"EU-[A-Z]\w+|U\.S\.-[A-Z]\w+|[A-Z]\w+-[A-Z]\w+)\b[’']?)?\s*(?:leaders[’']?\s+)?\b[Ss]ummit\b",
    re.IGNORECASE,
)
# Every gathering names ministers or a summit: a cheap test before the costly pattern.
GATHERING_HINT = re.compile(r"minist|summit", re.IGNORECASE)
FUTURE = re.compile(
    r"\bwill\b|\bwould\b|\bplans? to\b|\bplanned\b|\bplanning\b|\bis (?:set|due|expected|scheduled)"
    r" to\b|\bare (?:set|due|expected|scheduled) to\b|\bupcoming\b|\bforthcoming\b|\bis to\b"
    r"|\bare to\b|\bnext (?:week|month|year|\w+day)\b|\bto host\b|\bahead of\b|\bscheduled\b"
    r"|\bis going to\b"
)
PAST_OVERRIDE = re.compile(r"\bhad\b|\bwas\b|\bwere\b")
CANCELLED = re.compile(r"\bcancel(?:l)?ed\b|\bcalled off\b|\bpostponed\b|\bscrapped\b")
ATTEND = re.compile(r"\battend(?:ed|s|ing)?\b|\bjoin(?:ed|s)?\b|\bat the\b|\btake part\b")
# An action someone does in a place they visit: "pressed Indian officials in New Delhi".
IN_PLACE_ACTION = re.compile(
    r"\b(?:pressed|urged|speaking|spoke|said|told|held|met|warned|addressed|signed|launched"
    r"|discussed|toured|stopped|was|were|is|are|made|gave|delivered|called|pressing|meeting)\b"
)

TOPICS = [
    ("sanctions", re.compile(r"\bsanction", re.IGNORECASE)),
    ("nato", re.compile(r"\bNATO\b")),
    (
        "ukraine-war",
        re.compile(
            r"\bUkrain\w*\b.{0,40}\b(?:war|invasion|assault|attack)|\b(?:war|"
            r"invasion|assault|attack)\b.{0,40}\bUkrain",
            re.IGNORECASE,
        ),
    ),
    ("energy", re.compile(r"\b(?:energy|oil|gas|LNG|coal)\b", re.IGNORECASE)),
    ("export-controls", re.compile(r"\bexport controls?\b", re.IGNORECASE)),
    ("supply-chains", re.compile(r"\bsupply chains?\b", re.IGNORECASE)),
    ("food-security", re.compile(r"\bfood (?:security|prices|crisis)\b", re.IGNORECASE)),
]


def topics(text: str) -> list[str]:
    return [name for name, pattern in TOPICS if pattern.search(text)]
