"""What an optimizer contributes to the verification of PLRF: the rules interface and its table.

One rules object per optimizer (``verification/plrf/_<optimizer>.py``) runs the checks that apply to
that optimizer (simulation against its exact or approximate risk equations, numerics and theory)
and proposes a learning rate for a check. Registered in :data:`RULES` (keyed by optimizer class,
MRO lookup), so a subclass of ``SignSGD`` gets signSGD's checks unless it registers its own.
"""

from __future__ import annotations

import abc

from theory import RulesTable

__all__ = ["RULES", "PLRFVerificationRules"]

#: The PLRF verification rules of every optimizer, keyed by optimizer class.
RULES = RulesTable("PLRF verification")


class PLRFVerificationRules(abc.ABC):
    """The verification of one optimizer on PLRF (subclass per optimizer, register in :data:`RULES`)."""

    @abc.abstractmethod
    def verify(self, problem, optimizer, schedule=None, **options):
        """Run the checks; return a :class:`verification.VerificationResult`."""

    @abc.abstractmethod
    def default_lr(self, problem, optimizer, *, seed: int = 0) -> float:
        """A learning rate for a check at this size."""

    def stability_limit(self, problem, optimizer, *, seed: int = 0) -> float | None:
        """The largest stable rate on the sampled instance, where the optimizer has one (else None)."""
        return None
