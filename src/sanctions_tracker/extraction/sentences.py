# ruff: noqa: RUF001 - typographic quotes and dashes are what copy uses
"""Sentences with their character offsets, and the lines that are not prose.

Offsets index the text exactly as it was sent, so an analyst's tool can highlight the passage.
Headlines, photo captions, bylines and credits hold names and places but report nothing
themselves ("FILE PHOTO: ... the opening session of the G7 summit"): they are left out."""

import re
from dataclasses import dataclass

# Abbreviations after which a full stop does not end the sentence.
ABBREVIATIONS = {
    "u.s",
    "u.k",
    "u.n",
    "e.u",
    "u.a.e",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sen",
    "rep",
    "gen",
    "lt",
    "col",
    "gov",
    "st",
    "jr",
    "sr",
    "no",
    "vs",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "inc",
    "ltd",
    "co",
    "corp",
    "e.g",
    "i.e",
    "approx",
    "dept",
    "est",
    "prof",
    "sgt",
    "capt",
    "adm",
    "amb",
    "hon",
    "rt",
    "pm",
    "a.m",
    "p.m",
    "d.c",
    "e.o",
    "ex",
    "al",
}
_END = re.compile(r"[.!?](?:[\"'”’)\]]*)(?=\s+|$)")
_LINE = re.compile(r"[^\n]+")
# Dateline: "WASHINGTON (Reuters) -", "LONDON, March 29 (Reuters) -", "KYIV, Ukraine (AP) —"
DATELINE = re.compile(
    r"^(?P<city>[A-Z][A-Z .'-]{2,40}?)(?:,\s*[^()\n]{0,40})?\s*\((?:Reuters|AP|AFP|Bloomberg)\)"
    r"\s*[-–—]\s*"
)
NOT_PROSE = re.compile(
    r"^\s*(?:FILE PHOTO|PHOTO|Photo|Image|Video|WATCH|READ MORE|Read more|Related|Reporting by"
    r"|\(Reporting|Editing by|\(Editing|Additional reporting|Writing by|\(Writing|Our Standards"
    r"|Exit mobile version|Sign up|Subscribe|Advertisement|Share this|Follow us|©|Copyright)"
)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int


def _is_prose(line: str) -> bool:
    stripped = line.strip()
    if not stripped or NOT_PROSE.match(stripped):
        return False
    # A headline or a label: no closing punctuation, or too few words to report anything.
    return stripped[-1] in '.!?:"”’)' and len(stripped.split()) >= 4


def _ends_sentence(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return True
    word = re.search(r"([A-Za-z.]+)$", text[:dot])
    if word is None:
        return True
    token = word.group(1).lower().strip(".")
    # "U.S. Secretary", "Antony J. Blinken", "Mar. 29": an abbreviation or an initial goes on
    # (so "... in the U.S. The next day" stays one sentence: rare, and harmless here).
    return not (token in ABBREVIATIONS or len(token) == 1)


def split(text: str) -> list[Sentence]:
    """The prose sentences of `text`, each with its offsets in `text`."""
    sentences: list[Sentence] = []
    paragraph = 0
    for line in _LINE.finditer(text):
        if not _is_prose(line.group(0)):
            continue
        paragraph += 1
        base = line.start()
        body = line.group(0)
        dateline = DATELINE.match(body)
        cursor = dateline.end() if dateline else 0
        for end in _END.finditer(body):
            if end.start() < cursor or not _ends_sentence(body, end.start()):
                continue
            _add(sentences, body, base, cursor, end.end(), paragraph)
            cursor = end.end()
        _add(sentences, body, base, cursor, len(body), paragraph)
    return sentences


def _add(
    sentences: list[Sentence], body: str, base: int, start: int, end: int, paragraph: int
) -> None:
    piece = body[start:end]
    stripped = piece.strip()
    if len(stripped.split()) < 3:
        return
    offset = start + (len(piece) - len(piece.lstrip()))
    sentences.append(Sentence(base + offset, base + offset + len(stripped), stripped, paragraph))


def dateline_city(text: str) -> str | None:
    """The city of a wire story's dateline, in its usual spelling ("WASHINGTON" -> "Washington")."""
    for line in _LINE.finditer(text):
        match = DATELINE.match(line.group(0).strip())
        if match:
            return match.group("city").strip().title()
    return None
