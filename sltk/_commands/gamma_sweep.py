"""``sltk gamma-sweep``: the network sweep of eta* over (depth, gamma), the same as
``sltk sweep gamma-eta`` (kind options ``--depth``, ``--gamma-min/--gamma-max``, ``--loss``, ``--width``,
``--steps``, ``--log-every`` (the stored loss curves); runner options ``--store`` (resumed where it stopped), ``--scheduler``, ``--workers``,
``--out``); see :mod:`sltk._sweep_kinds.gamma_eta`."""

from __future__ import annotations

COMMAND = "gamma-sweep"
QUIET = False  # the sweep kind parser has its own --quiet
OUTPUTS = {"out": "file"}
HELP = "eta* and the loss curves of ReLU MLPs over (depth, gamma) on the resumable sweep runner (= sltk sweep gamma-eta)"


def add_arguments(p):
    from .._sweep_kinds import kind_of
    from .sweep import _runner_arguments

    kind_of("gamma-eta").add_arguments(p)
    _runner_arguments(p)


def run(args) -> int:
    from . import sweep

    args.kind = "gamma-eta"
    return sweep.run(args)
