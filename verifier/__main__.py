"""``python -m verifier`` is ``ledger-verify``."""

import sys

from verifier.cli import main

sys.exit(main())
