"""Text pieces grouped into byte chunks of a useful size, so a stream of many small rows is sent
in a few hundred writes rather than one per row."""

from collections.abc import Iterable, Iterator

CHUNK_SIZE = 64 * 1024


def encoded(pieces: Iterable[str], size: int = CHUNK_SIZE) -> Iterator[bytes]:
    buffer: list[str] = []
    length = 0
    for piece in pieces:
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer).encode("utf-8")
            buffer, length = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")
