"""Checkpoint signatures verified ahead of the audit, while its process would wait.

In a file audit (``verifier.audit.files``) this process merges what the workers hashed,
in order, and checks each checkpoint once the leaves up to its size are in; while it
waits for a worker's result, it verifies the signatures of the checkpoints further on
instead. ``Ahead`` reads the records after the leaves a second time, ahead of the audit,
and puts the outcome of ``verifier.checkpoint.verify`` for each record (the checkpoint,
or the error) into ``Checkpoints.verified``, which ``Checkpoints`` takes when the audit
reaches the record: the same verification, done earlier, so that little is left to do
once the workers finish.

Bounded: at most ``LIMIT`` outcomes wait at a time, and nothing else is kept; a line the
audit has already read is skipped, and so is a record whose outcome waits or that the
audit checked before (a repeat, which it does not verify again; ``Checkpoints.repeat``);
a record longer than ``MAX_RECORD`` bytes is left to the audit.
"""

from __future__ import annotations

from typing import BinaryIO

from verifier import checkpoint as notes
from verifier.audit.checkpoints import Checkpoints, record_key
from verifier.audit.reader import bounded_lines, checkpoint_size, json_object
from verifier.errors import VerificationError

LIMIT = 512
MAX_RECORD = 4096  # a checkpoint record is a few hundred bytes


class Ahead:
    """Reads ``tail`` (positioned at the records after the leaves) ahead of the audit."""

    def __init__(self, tail: BinaryIO, checkpoints: Checkpoints) -> None:
        self.lines = bounded_lines(tail)
        self.checkpoints = checkpoints
        self.read = 0  # lines read ahead
        self.passed = 0  # lines the audit has read: too late to verify them ahead

    def step(self) -> bool:
        """Verify the next checkpoint's signature; False if none is left, or enough wait."""
        checkpoints = self.checkpoints
        verified = checkpoints.verified
        if len(verified) >= LIMIT:
            return False
        for line in self.lines:
            self.read += 1
            record = None if self.read <= self.passed else _record(line)
            if record is None:
                continue
            note = record[1]
            if note in verified or checkpoints.repeat(record_key(*record)):
                continue  # waiting already, or checked before: a repeat
            try:
                verified[note] = notes.verify(note, checkpoints.vkeys)
            except VerificationError as e:
                verified[note] = e
            return True
        return False


def _record(line: bytes) -> tuple[int, str] | None:
    """The size and note of a checkpoint record line, if it is one (and short)."""
    if len(line) > MAX_RECORD or checkpoint_size(line) is None:
        return None
    record = json_object(line)
    if record is None:
        return None
    size, note = record.get("size"), record.get("note")
    return (size, note) if type(size) is int and isinstance(note, str) else None
