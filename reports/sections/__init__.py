"""The sections of a certificate, in the order they are laid out (docs/certificate.md,
"What it shows, and where"): the first page with the summary, sections 1 to 8, the
appendices. Each section is a function that adds to a ``reports.composer.Composer``;
the comments ``point N`` mark where each of the 28 points is laid out.
"""

from __future__ import annotations

from collections.abc import Callable

from reports.composer import Composer
from reports.sections import (
    appendices,
    events,
    parties,
    process,
    proof,
    signers,
    statements,
    summary,
    verification,
)

ORDER: tuple[Callable[[Composer], None], ...] = (
    summary.first_page,
    parties.issuer,
    parties.subject,
    process.process,
    events.events,
    signers.signers,
    proof.proof,
    verification.verification,
    statements.statements,
    appendices.proofs,
    appendices.checks,
)


def compose(c: Composer) -> None:
    """Lay out every section, in order."""
    for section in ORDER:
        section(c)
