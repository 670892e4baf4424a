"""SGD on high-dimensional linear regression: its verification is the generic ODE-vs-simulation check."""

from theory import SGD

from ._checks import LINREG_VERIFIER, RULES

RULES.register(SGD, LINREG_VERIFIER)
