"""How text is cut into words and folded, the same way on both databases.

SQLite's FTS5 (`unicode61 remove_diacritics 2`) splits on anything that is not a letter, a digit
or a combining mark and drops the marks from Latin letters. PostgreSQL's parser instead keeps
`U.S.`, `2022/576` or `anti-money` as compound tokens and keeps accents, so the PostgreSQL index
reads its text through `translate(text, INDEX_FROM, INDEX_TO)`: punctuation becomes a space and
accented Latin letters lose their accent, one character for one, which keeps offsets stable for
highlighting. The migration that creates the index holds its own copy of these rules.
"""

import string
import unicodedata

# FTS5 folds these two long s although Unicode gives them no decomposition into "s" + marks,
# and keeps these two (a letter with two stacked marks) as they are.
_FTS5_EXTRA = {"\u017f": "s", "\u1e9b": "s"}
_FTS5_KEPT = {"\u01e0", "\u01e1"}


def _diacritics() -> dict[str, str]:
    """Latin letters with marks -> the bare lower-case letter, as FTS5 `remove_diacritics 2`."""
    table: dict[str, str] = {}
    for code in range(0x80, 0x3000):
        char = chr(code)
        parts = unicodedata.normalize("NFD", char)
        if (
            len(parts) > 1
            and parts[0].isascii()
            and parts[0].isalpha()
            and all(unicodedata.combining(mark) for mark in parts[1:])
            and char not in _FTS5_KEPT
        ):
            table[char] = parts[0].lower()
    return table | _FTS5_EXTRA


DIACRITICS = _diacritics()

# Punctuation PostgreSQL's parser would glue words with; a few common non-ASCII marks too.
PUNCTUATION = (
    string.punctuation
    + "\u00a0\u00ab\u00b7\u00bb\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019"
    + "\u201a\u201b\u201c\u201d\u201e\u201f\u2022\u2026\u2032\u2033\u2039\u203a"
)

INDEX_FROM = "".join(DIACRITICS) + PUNCTUATION
INDEX_TO = "".join(DIACRITICS.values()) + " " * len(PUNCTUATION)
_INDEX_TABLE = str.maketrans(INDEX_FROM, INDEX_TO)
_FOLD_TABLE = str.maketrans(DIACRITICS)


def for_index(text: str) -> str:
    """What PostgreSQL's `translate(text, INDEX_FROM, INDEX_TO)` gives, character for character."""
    return text.translate(_INDEX_TABLE)


def fold(word: str) -> str:
    return word.translate(_FOLD_TABLE)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or unicodedata.category(char).startswith("M")


def words(text: str) -> list[str]:
    """The words of `text` as the index sees them: runs of letters, digits and marks."""
    found: list[str] = []
    current: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if _is_word_char(char):
            current.append(char)
        elif current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    return found
