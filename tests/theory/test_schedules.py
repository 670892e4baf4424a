"""Learning-rate schedules: values at known steps (hand computations), bad parameters, and
hypothesis properties (range, monotone decay phase, ``parse_schedule(s.spec())`` round trip).

Every reference value below is computed by hand from the documented conventions of
:mod:`theory._schedules` (warmup factor ``(k+1)/w``; decay progress ``u = (k-s+1)/m``),
written out with ``math`` -- never by calling the schedule under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theory import (
    DECAY_SHAPES,
    SCHEDULES,
    WSD,
    Constant,
    Cosine,
    FromCallable,
    LinearWarmup,
    ParameterError,
    StableDecay,
    StepDecay,
    Tabulated,
    TwoStage,
    parse_schedule,
)


def _cos_decay(u):
    return 0.5 * (1.0 + math.cos(math.pi * u))


# --------------------------------------------------------------------------- values
@pytest.mark.parametrize(
    "sched, n, steps, expected",
    [
        (Constant(), 7, [0, 3, 6, 7], [1.0, 1.0, 1.0, 1.0]),
        (LinearWarmup(warmup=0.3), 10, [0, 1, 2, 3, 9], [1 / 3, 2 / 3, 1.0, 1.0, 1.0]),
        (LinearWarmup(warmup=0.0), 10, [0, 9], [1.0, 1.0]),
        (Cosine(), 4, [0, 1, 2, 3], [_cos_decay(0.25), 0.5, _cos_decay(0.75), 0.0]),
        (Cosine(warmup=0.2, floor=0.1), 10, [0, 1, 2, 9],
         [0.5, 1.0, 0.1 + 0.9 * _cos_decay(1 / 8), 0.1]),
        (WSD(warmup=0.1, decay=0.3, shape="cosine"), 20, [0, 1, 2, 13, 14, 17, 19],
         [0.5, 1.0, 1.0, 1.0, _cos_decay(1 / 6), _cos_decay(4 / 6), 0.0]),
        (WSD(decay=0.5, shape="linear", floor=0.2), 10, [4, 5, 9], [1.0, 0.2 + 0.8 * 0.8, 0.2]),
        (WSD(decay=0.4, shape="1-sqrt"), 10, [5, 6, 7, 9], [1.0, 1 - math.sqrt(0.25), 1 - math.sqrt(0.5), 0.0]),
        (WSD(decay=0.4, shape="polynomial", power=3.0), 10, [6, 8], [0.75**3, 0.25**3]),
        (WSD(decay=0.0), 10, [0, 9], [1.0, 1.0]),
        (StableDecay(decay=0.5, shape="linear"), 10, [0, 4, 5, 9], [1.0, 1.0, 0.8, 0.0]),
        (StepDecay(milestones=(0.3, 0.6), factor=0.5), 10, [0, 2, 3, 5, 6, 9], [1, 1, 0.5, 0.5, 0.25, 0.25]),
        (TwoStage(switch=0.4, second=0.2), 10, [0, 3, 4, 9], [1.0, 1.0, 0.2, 0.2]),
        (FromCallable(lambda k, n: (n - k) / n), 8, [0, 4, 7], [1.0, 0.5, 1 / 8]),
        (Tabulated(steps=(0, 4, 8), values=(1.0, 0.5, 0.1)), 8, [0, 2, 4, 6, 8], [1.0, 0.75, 0.5, 0.3, 0.1]),
        (Tabulated(steps=(2, 4), values=(0.8, 0.4)), 8, [0, 6], [0.8, 0.4]),  # held constant outside
    ],
)
def test_values_at_known_steps(sched, n, steps, expected):
    got = sched(steps, n)
    assert got.dtype == np.float64 and got.shape == (len(steps),)
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-15)


def test_lr_multiplies_by_peak_and_validates_peak():
    np.testing.assert_allclose(TwoStage(switch=0.5, second=0.1).lr([0, 9], 10, peak=0.3), [0.3, 0.03])
    with pytest.raises(ParameterError, match="peak"):
        Constant().lr([0], 10, peak=-1.0)


def test_wsd_warmup_never_overlaps_decay_under_rounding():
    # warmup=0.3, decay=0.7 on 5 steps: round(1.5)=2 warmup steps, round(3.5)=4 decay
    # steps -- the decay (which ends the run) keeps all of its 4 steps and the warmup is
    # cut to the 1 step left (factor (0+1)/1 = 1).
    got = WSD(warmup=0.3, decay=0.7, shape="linear")(np.arange(5), 5)
    np.testing.assert_allclose(got, [1.0, 0.75, 0.5, 0.25, 0.0])


def test_stable_decay_equals_wsd_without_warmup():
    k = np.arange(50)
    np.testing.assert_array_equal(StableDecay(decay=0.3, shape="cosine")(k, 50),
                                  WSD(warmup=0.0, decay=0.3, shape="cosine")(k, 50))


def test_registry_and_parse_examples():
    assert set(SCHEDULES) >= {"constant", "warmup", "cosine", "wsd", "stable-decay", "step", "two-stage"}
    s = parse_schedule(" WSD:warmup=0.01, decay=0.2, shape=cosine ")
    assert s == WSD(warmup=0.01, decay=0.2, shape="cosine")
    assert parse_schedule("step:milestones=0.5;0.8,factor=0.1") == StepDecay((0.5, 0.8), 0.1)
    assert parse_schedule("constant") == Constant()


# --------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "make, param",
    [
        (lambda: WSD(decay=1.5), "decay"),
        (lambda: WSD(decay=-0.1), "decay"),
        (lambda: WSD(warmup=-0.01), "warmup"),
        (lambda: WSD(warmup=0.6, decay=0.5), "warmup + decay"),
        (lambda: WSD(shape="exponential"), "shape"),
        (lambda: WSD(floor=1.5), "floor"),
        (lambda: WSD(floor=-0.5), "floor"),
        (lambda: WSD(power=0.0), "power"),
        (lambda: WSD(decay=float("nan")), "decay"),
        (lambda: StableDecay(warmup=0.1), "warmup"),
        (lambda: LinearWarmup(warmup=1.2), "warmup"),
        (lambda: Cosine(floor=-0.1), "floor"),
        (lambda: Cosine(warmup=2.0), "warmup"),
        (lambda: StepDecay(milestones=(0.8, 0.5)), "milestones"),
        (lambda: StepDecay(milestones=(1.5,)), "milestones"),
        (lambda: StepDecay(factor=-0.1), "factor"),
        (lambda: StepDecay(factor=0.0), "factor"),
        (lambda: TwoStage(second=-0.2), "second"),
        (lambda: TwoStage(switch=1.1), "switch"),
        (lambda: FromCallable(fn=3.0), "fn"),
        (lambda: Tabulated(steps=(0, 1), values=(1.0,)), "steps/values"),
        (lambda: Tabulated(steps=(), values=()), "steps/values"),
        (lambda: Tabulated(steps=(0, 0), values=(1.0, 0.5)), "steps"),
        (lambda: Tabulated(steps=(0, 1), values=(1.0, -0.5)), "values"),
    ],
)
def test_bad_parameters_raise_naming_the_parameter(make, param):
    with pytest.raises(ParameterError) as exc:
        make()
    assert exc.value.parameter == param
    assert param in str(exc.value)


@pytest.mark.parametrize(
    "steps, horizon, param",
    [([0, -1], 10, "steps"), ([11], 10, "steps"), ([0], 0, "horizon"), ([0], 2.5, "horizon")],
)
def test_bad_steps_or_horizon(steps, horizon, param):
    with pytest.raises(ParameterError) as exc:
        Constant()(steps, horizon)
    assert exc.value.parameter == param


def test_callable_returning_negative_or_nan_is_rejected():
    with pytest.raises(ParameterError, match="non-negative"):
        FromCallable(lambda k, n: -np.ones_like(k))([0, 1], 4)
    with pytest.raises(ParameterError, match="finite"):
        FromCallable(lambda k, n: np.full_like(k, np.nan))([0, 1], 4)


@pytest.mark.parametrize(
    "text, param",
    [
        ("linear", "schedule"),
        ("wsd:decay", "schedule 'wsd' option"),
        ("wsd:speed=2", "schedule 'wsd' option"),
        ("wsd:decay=abc", "decay"),
        ("wsd:decay=nan", "decay"),
        ("wsd:decay=2", "decay"),
        ("wsd:shape=exp", "shape"),
        ("wsd:warmup=0.5,decay=0.6", "warmup + decay"),
    ],
)
def test_parse_schedule_errors(text, param):
    with pytest.raises(ParameterError) as exc:
        parse_schedule(text)
    assert exc.value.parameter == param


# -------------------------------------------------------------------- properties
fracs = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def wsds(draw):
    w = draw(fracs)
    d = draw(st.floats(0.0, 1.0 - w))
    return WSD(warmup=w, decay=d, shape=draw(st.sampled_from(DECAY_SHAPES)),
               floor=draw(fracs), power=draw(st.floats(0.1, 5.0)))


@st.composite
def schedules(draw):
    kind = draw(st.sampled_from(["constant", "warmup", "cosine", "wsd", "stable-decay", "step", "two-stage"]))
    if kind == "constant":
        return Constant()
    if kind == "warmup":
        return LinearWarmup(warmup=draw(fracs))
    if kind == "cosine":
        return Cosine(warmup=draw(fracs), floor=draw(fracs))
    if kind == "wsd":
        return draw(wsds())
    if kind == "stable-decay":
        return StableDecay(decay=draw(fracs), shape=draw(st.sampled_from(DECAY_SHAPES)), floor=draw(fracs),
                           power=draw(st.floats(0.1, 5.0)))
    if kind == "step":
        ms = tuple(sorted(draw(st.lists(fracs, min_size=1, max_size=4))))
        return StepDecay(milestones=ms, factor=draw(st.floats(1e-3, 1.0)))
    return TwoStage(switch=draw(fracs), second=draw(st.floats(0.0, 1.0)))


@given(sched=schedules(), n=st.integers(1, 400))
def test_property_factors_lie_in_unit_interval(sched, n):
    f = sched(np.arange(n), n)
    assert f.shape == (n,)
    assert np.all(np.isfinite(f)) and np.all(f >= 0.0) and np.all(f <= 1.0 + 1e-15)


@given(sched=wsds(), n=st.integers(1, 400))
def test_property_wsd_decay_phase_monotone_and_reaches_floor(sched, n):
    f = sched(np.arange(n), n)
    m = int(round(sched.decay * n))
    w = min(int(round(sched.warmup * n)), n - m)
    after = f[w:]  # stable then decay: non-increasing
    assert np.all(np.diff(after) <= 1e-14)
    if m > 0:
        assert f[-1] == pytest.approx(sched.floor, abs=1e-14)
        assert np.all(f[w:n - m] == 1.0)
    if w > 0:  # warmup strictly increasing to 1
        assert np.all(np.diff(f[:w]) > 0) and f[w - 1] == pytest.approx(1.0)


@given(warmup=fracs, floor=fracs, n=st.integers(1, 400))
def test_property_cosine_monotone_after_warmup(warmup, floor, n):
    f = Cosine(warmup=warmup, floor=floor)(np.arange(n), n)
    w = int(round(warmup * n))
    assert np.all(np.diff(f[w:]) <= 1e-14)
    if w < n:
        assert f[-1] == pytest.approx(floor, abs=1e-14)


@given(sched=schedules())
def test_property_spec_round_trip(sched):
    assert parse_schedule(sched.spec()) == sched


@given(sched=schedules(), n=st.integers(2, 200), data=st.data())
def test_property_vectorised_equals_pointwise(sched, n, data):
    k = data.draw(st.integers(0, n - 1))
    assert sched([k], n)[0] == sched(np.arange(n), n)[k]
