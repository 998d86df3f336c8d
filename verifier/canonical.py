"""Former home of strict JSON, RFC 8785 and leaves, now split into ``verifier.ijson``
(I-JSON parsing), ``verifier.jcs`` (RFC 8785) and ``verifier.leaf`` (leaves and
commitments).

Only the names the tests of ``ledger/`` still import from here are kept (those tests are
being reorganised at the same time); new code imports the three modules. Delete this
module once nothing imports it.
"""

from verifier.jcs import canonicalize
from verifier.leaf import Leaf, parse_leaf

__all__ = ["Leaf", "canonicalize", "parse_leaf"]
