"""Words the generated records are made of: names, themes and the sentences of summaries.

Each theme owns the phrases, topics and sectors that go together (an energy call talks about the
oil price cap and is tagged `energy`), so that a full-text search for "price cap" or
"semiconductors" finds a realistic share of the engagements, neither all nor none.
"""

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import TypeVar

T = TypeVar("T")

FIRST_NAMES = """
Anna Antony Olaf Annalena Catherine Josep Kaja Dmytro Volodymyr Ursula Charles Emmanuel
Giorgia Rishi Liz James David Penny Jens Mark Petr Ine Pekka Tobias Ulf Radoslaw Zbigniew
Gabrielius Edgars Margus Viktor Peter Karl Mette Lars Ann Wopke Sigrid Yoshimasa Fumio
Yoko Takeshi Park Yoon Han Mélanie Justin Chrystia Penelope Anthony Richard Jacinda Nanaia
Ignazio Alexander Heiko Christian Robert Janet Wally Brian Daleep Elizabeth Victoria Gina
Jake Amos Antonio Ngozi Kristalina Ajay Narendra Subrahmanyam Jaishankar Piyush Nirmala
Mevlut Hakan Recep Faisal Abdullah Mohammed Sheikh Naledi Cyril Mauro Luiz Celso Ebrahim
Sergei Maria Dmitri Elvira Anton Wang Qin Li Xie Mariano Andrés Marcelo Alicia Ivana Mirjana
Laura Stefan Sophie Helena Marta Ewa Tomas Ingrida Kristjan Juha Sanna Magdalena Erik
""".split()  # noqa: SIM905 - a block of words reads better than a list

LAST_NAMES = """
Blinken Scholz Baerbock Colonna Borrell Kallas Kuleba Zelensky Leyen Michel Macron Meloni
Sunak Truss Cleverly Lammy Mordaunt Stoltenberg Rutte Fiala Eriksen Haavisto Billstrom
Kristersson Sikorski Rau Landsbergis Rinkevics Tsahkna Orban Szijjarto Nehammer Schallenberg
Frederiksen Rasmussen Linde Hoekstra Kaag Hayashi Kishida Kamikawa Motegi Jin Duck Joly
Trudeau Freeland Wong Albanese Marles Ardern Mahuta Cassis Schmid Amherd Yellen Adeyemo
Nelson Singh Nuland Raimondo Sullivan Hochstein Guterres Okonjo Georgieva Banga Modi Goyal
Sitharaman Cavusoglu Fidan Erdogan Farhan Saud Bin Nahyan Pandor Ramaphosa Vieira Amorim
Raisi Lavrov Zakharova Peskov Nabiullina Siluanov Wang Qin Li Xie Cafiero Cancela Barcena
Novak Petrovic Horvat Kowalski Nowak Schmidt Muller Weber Rossi Bianchi Dubois Laurent
Martin Garcia Fernandez Lopez Jensen Nielsen Virtanen Korhonen Berg Johansson Andersson
Kovacs Toth Popescu Ionescu Dimitrov Georgiev Papadopoulos Silva Santos Costa Murphy Kelly
""".split()  # noqa: SIM905 - a block of words reads better than a list

SOURCE_PUBLISHERS = [
    ("Reuters", "news_article"),
    ("Associated Press", "news_article"),
    ("Financial Times", "news_article"),
    ("Politico Europe", "news_article"),
    ("Kyiv Independent", "news_article"),
    ("Nikkei Asia", "news_article"),
    ("U.S. Department of State", "official_statement"),
    ("U.S. Department of the Treasury", "press_release"),
    ("Foreign, Commonwealth & Development Office", "official_statement"),
    ("Council of the European Union", "press_release"),
    ("European Commission", "press_release"),
    ("Official Journal of the European Union", "legal_act"),
    ("Federal Register", "legal_act"),
    ("Ministry of Foreign Affairs of Japan", "official_statement"),
    ("Global Affairs Canada", "official_statement"),
    ("NATO", "press_release"),
    ("G7 Presidency", "official_statement"),
    ("Ministry of Foreign Affairs of Ukraine", "official_statement"),
    ("Elysee", "official_statement"),
    ("Bundesregierung", "press_release"),
    ("Other outlet", "other"),
]

SENTENCE_SUBJECTS = [
    "The ministers",
    "Both sides",
    "The delegations",
    "Senior officials",
    "The two leaders",
    "Participants",
    "The envoys",
    "The partners",
]

SENTENCE_VERBS = [
    "discussed",
    "reviewed",
    "agreed to strengthen cooperation on",
    "raised concerns about",
    "welcomed progress on",
    "underlined the importance of",
    "exchanged views on",
    "called for closer coordination on",
    "considered new measures on",
    "assessed the impact of",
    "committed to tighter enforcement of",
    "took stock of",
]

SENTENCE_TAILS = [
    "",
    "",
    "",
    " ahead of the next G7 summit",
    " ahead of the European Council",
    " before the NATO ministerial",
    " in view of the winter heating season",
    " as part of the next sanctions package",
    " on the margins of the UN General Assembly",
    " with partners in the region",
    " to close loopholes used for circumvention",
]

FILLERS = [
    "They agreed to stay in close contact.",
    "Further talks are expected at expert level.",
    "A joint statement followed.",
    "No decision was announced.",
    "Officials will meet again next month.",
    "The readout gave few details.",
    "Both sides called the talks constructive.",
]


@dataclass(frozen=True)
class Theme:
    name: str
    weight: int
    phrases: tuple[str, ...]
    topics: tuple[str, ...]
    sectors: tuple[str, ...]
    title: str  # how a title names the subject, e.g. "energy security"


THEMES = (
    Theme(
        "energy",
        18,
        (
            "the oil price cap",
            "the price cap on petroleum products",
            "Russian crude exports",
            "LNG deliveries to Europe",
            "gas storage levels",
            "energy security",
            "pipeline gas transit",
            "refinery output and diesel imports",
            "the phase-out of Russian coal",
            "nuclear fuel supplies",
        ),
        ("energy", "oil", "gas", "price-cap", "lng"),
        ("energy", "oil", "crude-oil", "petroleum-products", "gas", "lng", "coal", "nuclear-fuel"),
        "energy security",
    ),
    Theme(
        "finance",
        15,
        (
            "the exclusion of banks from SWIFT",
            "central bank reserves",
            "frozen sovereign assets",
            "windfall profits from immobilised assets",
            "correspondent banking channels",
            "secondary sanctions on foreign banks",
            "sovereign debt restrictions",
            "crypto-asset transfers",
            "the central bank's foreign exchange operations",
        ),
        ("finance", "banking", "swift", "frozen-assets", "sanctions"),
        ("finance", "banking", "central-bank", "insurance", "crypto-assets", "sovereign-debt"),
        "financial sanctions",
    ),
    Theme(
        "technology",
        15,
        (
            "export controls on semiconductors",
            "dual-use goods",
            "microelectronics found in recovered drones",
            "advanced chips and chip-making equipment",
            "machine tools and industrial components",
            "the common high priority items list",
            "circumvention of export controls through third countries",
            "quantum and AI technologies",
        ),
        ("technology", "export-controls", "semiconductors", "dual-use"),
        (
            "technology",
            "microelectronics",
            "semiconductors",
            "software",
            "telecommunications",
            "machine-tools",
            "quantum-computing",
        ),
        "export controls",
    ),
    Theme(
        "defence",
        13,
        (
            "military supply chains",
            "drone components",
            "ammunition production",
            "air defence systems",
            "arms transfers from third countries",
            "military aid to Ukraine",
            "the defence industrial base",
        ),
        ("defence", "security", "ukraine", "nato"),
        (
            "defence",
            "military-supply-chains",
            "ammunition",
            "drones",
            "aerospace",
            "shipbuilding",
        ),
        "security and defence",
    ),
    Theme(
        "food",
        8,
        (
            "the Black Sea grain corridor",
            "fertiliser exports",
            "global food security",
            "grain shipments through the Danube",
            "shadow fleet tankers",
            "maritime insurance for oil cargoes",
            "port and shipping restrictions",
        ),
        ("food-security", "grain", "shipping"),
        ("agriculture", "fertilisers", "transport", "shipping", "ports", "insurance"),
        "food security",
    ),
    Theme(
        "coordination",
        20,
        (
            "sanctions coordination",
            "enforcement of existing sanctions",
            "the next package of sanctions",
            "asset freezes on oligarchs",
            "travel bans on officials",
            "new designations of entities",
            "humanitarian exemptions",
            "sanctions evasion networks",
            "the work of the sanctions coordinators",
        ),
        ("sanctions", "enforcement", "diplomacy"),
        ("finance", "luxury-goods", "metals", "mining", "aviation"),
        "sanctions coordination",
    ),
    Theme(
        "trade",
        11,
        (
            "import bans on steel and iron",
            "tariffs on goods from sanctioned countries",
            "trade diversion through neighbouring states",
            "the ban on luxury goods",
            "diamond imports and traceability",
            "aluminium and nickel markets",
            "critical raw materials",
        ),
        ("trade", "tariffs", "critical-minerals"),
        ("trade", "metals", "steel", "aluminium", "diamonds", "mining", "luxury-goods"),
        "trade measures",
    ),
)

THEME_WEIGHTS = [theme.weight for theme in THEMES]

# (key, name, parent): the sector tree, three levels deep.
SECTORS = [
    ("energy", "Energy", None),
    ("oil", "Oil", "energy"),
    ("crude-oil", "Crude oil", "oil"),
    ("petroleum-products", "Petroleum products", "oil"),
    ("refining", "Refining", "oil"),
    ("gas", "Gas", "energy"),
    ("lng", "Liquefied natural gas", "gas"),
    ("pipelines", "Pipelines", "gas"),
    ("coal", "Coal", "energy"),
    ("nuclear-fuel", "Nuclear fuel", "energy"),
    ("finance", "Finance", None),
    ("banking", "Banking", "finance"),
    ("central-bank", "Central bank", "banking"),
    ("payments", "Payments and messaging", "banking"),
    ("insurance", "Insurance", "finance"),
    ("sovereign-debt", "Sovereign debt", "finance"),
    ("crypto-assets", "Crypto-assets", "finance"),
    ("technology", "Technology", None),
    ("microelectronics", "Microelectronics", "technology"),
    ("semiconductors", "Semiconductors", "microelectronics"),
    ("software", "Software", "technology"),
    ("telecommunications", "Telecommunications", "technology"),
    ("machine-tools", "Machine tools", "technology"),
    ("quantum-computing", "Quantum computing", "technology"),
    ("defence", "Defence", None),
    ("military-supply-chains", "Military supply chains", "defence"),
    ("ammunition", "Ammunition", "military-supply-chains"),
    ("drones", "Drones and components", "military-supply-chains"),
    ("aerospace", "Aerospace", "defence"),
    ("shipbuilding", "Shipbuilding", "defence"),
    ("transport", "Transport", None),
    ("aviation", "Aviation", "transport"),
    ("shipping", "Shipping", "transport"),
    ("ports", "Ports", "shipping"),
    ("rail", "Rail", "transport"),
    ("road-haulage", "Road haulage", "transport"),
    ("trade", "Trade", None),
    ("luxury-goods", "Luxury goods", "trade"),
    ("diamonds", "Diamonds", "luxury-goods"),
    ("metals", "Metals", "trade"),
    ("steel", "Steel", "metals"),
    ("aluminium", "Aluminium", "metals"),
    ("mining", "Mining", "trade"),
    ("agriculture", "Agriculture", None),
    ("fertilisers", "Fertilisers", "agriculture"),
    ("grain", "Grain", "agriculture"),
    ("media", "Media", None),
]

POSITION_TITLES = [
    "Minister of Foreign Affairs",
    "Deputy Minister of Foreign Affairs",
    "Minister of Finance",
    "Minister of Trade",
    "Minister of Defence",
    "Head of Government",
    "Head of State",
    "Ambassador",
    "Special Envoy for Sanctions",
    "Spokesperson",
    "National Security Adviser",
    "Sanctions Coordinator",
    "Political Director",
    "Governor of the Central Bank",
]


def pick(rng: random.Random, values: Sequence[T]) -> T:
    """`rng.choice`, faster (one draw of `random()`): summaries make millions of picks."""
    return values[int(rng.random() * len(values))]


def weighted(rng: random.Random, values: Sequence[T], cumulative: Sequence[float]) -> T:
    """`rng.choices(values, cum_weights=cumulative)[0]`, faster."""
    return values[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


THEME_CUMULATIVE = list(accumulate(THEME_WEIGHTS))


def _counted(texts: Sequence[str]) -> list[tuple[str, int]]:
    return [(text, len(text.split())) for text in texts]


_SUBJECTS = _counted(SENTENCE_SUBJECTS)
_VERBS = _counted(SENTENCE_VERBS)
_TAILS = _counted(SENTENCE_TAILS)
_FILLERS = _counted(FILLERS)
_PHRASES = {theme.name: _counted(theme.phrases) for theme in THEMES}


def summary(rng: random.Random, theme: Theme, low: int = 30, high: int = 120) -> str:
    """A summary of `low` to `high` words: mostly sentences of `theme`, some of another."""
    target = rng.randint(low, high - 10)
    sentences: list[str] = []
    words = 0
    while words < target:
        other = theme if rng.random() < 0.75 else weighted(rng, THEMES, THEME_CUMULATIVE)
        phrases = _PHRASES[other.name]
        (subject, a), (verb, b), (phrase, c), (tail, d) = (
            pick(rng, _SUBJECTS),
            pick(rng, _VERBS),
            pick(rng, phrases),
            pick(rng, _TAILS),
        )
        sentence = f"{subject} {verb} {phrase}{tail}"
        count = a + b + c + d
        if rng.random() < 0.3:
            extra, e = pick(rng, phrases)
            sentence = f"{sentence} and {extra}"
            count += e + 1
        if words + count > high:
            # Fillers have at most 7 words and `words` < target <= high - 10: it fits.
            filler, f = pick(rng, _FILLERS)
            sentences.append(filler)
            words += f
            break
        sentences.append(sentence + ".")
        words += count
    return " ".join(sentences)
