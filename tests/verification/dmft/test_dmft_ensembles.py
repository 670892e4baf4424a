"""Shared-data ensembles of the DMFT model: the data-conditional mean and the E-member loss against a
direct simulation of members that share one data set (independent projections), with error bars."""

import numpy as np
import pytest

import numerics.dmft as nd
from theory import ParameterError
from theory.dmft import DMFT
from verification.dmft import check_curve, simulate_shared_data_ensemble


def test_shared_data_ensemble_small():
    p = DMFT(2.0, 1.5, N=32, P=64, M=200, sigma2=0.1)
    t = np.array([10.0, 300.0])
    c = nd.loss_curve(p, t)
    sim = simulate_shared_data_ensemble(p, t, members=3, runs=12, seed=4)
    assert check_curve("pair", "C", c.data_mean, sim["pair"], sim["pair_stderr"], 32.0).passed
    assert check_curve("E=3", "L_3", nd.ensemble_loss(c, 3, shared_data=True), sim["ensemble"],
                       sim["ensemble_stderr"], 32.0).passed
    # sharing the data keeps the data variance: worse than independent data sets at late times
    assert nd.ensemble_loss(c, 3, shared_data=True)[-1] > nd.ensemble_loss(c, 3)[-1]


def test_online_sgd_curves_refuse_shared_data():
    from theory import SGD

    c = nd.loss_curve(DMFT(2.0, 1.5, N=32, M=200), [1.0], optimizer=SGD(lr=0.1))
    with pytest.raises(ParameterError, match="shared_data"):
        nd.ensemble_loss(c, 2, shared_data=True)


@pytest.mark.slow
@pytest.mark.parametrize("sigma2", [0.0, 0.2])
def test_shared_data_ensemble_matches_simulation(sigma2):
    p = DMFT(2.0, 1.5, N=64, P=128, M=500, sigma2=sigma2)
    t = np.logspace(1, 4, 4)
    c = nd.loss_curve(p, t)
    sim = simulate_shared_data_ensemble(p, t, members=4, runs=24, seed=1)
    assert check_curve("pair", "C", c.data_mean, sim["pair"], sim["pair_stderr"], 64.0).passed
    assert check_curve("E=4", "L_4", nd.ensemble_loss(c, 4, shared_data=True), sim["ensemble"],
                       sim["ensemble_stderr"], 64.0).passed
