"""Gradient descent on the DMFT model: its verification is gradient flow (the ``lr -> 0`` limit, the
model's time ``t = 2 lr x steps``) simulated exactly, against the DMFT predictions."""

from theory import GD

from ._checks import DMFT_VERIFIER, RULES

RULES.register(GD, DMFT_VERIFIER)
