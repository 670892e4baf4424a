"""SignSGD on high-dimensional linear regression: its verification is the generic ODE-vs-simulation check."""

from theory import SignSGD

from ._checks import LINREG_VERIFIER, RULES

RULES.register(SignSGD, LINREG_VERIFIER)
