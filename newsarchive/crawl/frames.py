"""The messages between a crawl and its worker process, over a pipe: each a pickled Python
value behind its length (4 bytes, big-endian). Both ends are this program, so pickle is safe:
nothing else writes to these pipes."""

from __future__ import annotations

import pickle
import struct
from typing import Any

_LENGTH = struct.Struct("!I")


def encode(message: Any) -> bytes:
    """One message as the bytes to write."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


class Frames:
    """Reads messages out of the bytes arriving on a pipe, whatever their chunks."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Any]:
        """The messages completed by `data` (the rest is kept for the next chunk)."""
        buffer = self._buffer
        buffer += data
        messages = []
        start = 0
        size = len(buffer)
        with memoryview(buffer) as view:
            while size - start >= _LENGTH.size:
                (length,) = _LENGTH.unpack_from(view, start)
                end = start + _LENGTH.size + length
                if end > size:
                    break
                messages.append(pickle.loads(view[start + _LENGTH.size : end]))
                start = end
        if start:
            del buffer[:start]
        return messages
