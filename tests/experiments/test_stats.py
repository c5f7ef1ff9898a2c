"""stats.py checked against independent implementations and by simulation.

- statsmodels and scipy for the frequentist parts (Wald test and interval of a difference, Welch t,
  power and sample size, chi-square, Holm);
- GrowthBook's gbstats 0.8 for the relative uplift test, the sequential (always-valid) interval and
  p-value and the normal Bayesian model: the same methods, so they match to 4 decimals (to 1e-9
  in fact);
- the exact beta-binomial chance to beat control and expected loss against numerical integration
  with scipy. gbstats 0.8 has no beta-binomial model: its Bayesian engine puts a normal on the
  relative uplift, so the two agree only roughly (within 0.02 on these cases) and that is asserted
  as such.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from gbstats.bayesian.tests import EffectBayesianABTest
from gbstats.frequentist.tests import (
    FrequentistConfig,
    SequentialConfig,
    SequentialTwoSidedTTest,
    TwoSidedTTest,
)
from gbstats.models.statistics import ProportionStatistic, SampleMeanStatistic
from gbstats.utils import check_srm
from scipy import integrate
from scipy import stats as st
from statsmodels.stats import proportion as sm_proportion
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from campaignflow.experiments import stats

PROPORTION_GRID = [
    # (visitors a, conversions a, visitors b, conversions b)
    (1000, 30, 1000, 45),
    (5000, 250, 5100, 300),
    (20000, 700, 19850, 702),
    (120, 11, 130, 9),
    (250000, 5000, 251000, 5300),
    (800, 400, 790, 420),
]
MEAN_GRID = [
    # (n, revenue sum, sum of squares) for a and b
    ((1000, 5200.0, 210000.0), (1000, 5900.0, 260000.0)),
    ((40000, 360000.0, 9.1e7), (40100, 352000.0, 8.7e7)),
    ((300, 900.0, 31000.0), (310, 1110.0, 42000.0)),
]


def _gb(sample: stats.Sample):
    if sample.binary:
        return ProportionStatistic(n=sample.n, sum=sample.total)
    return SampleMeanStatistic(n=sample.n, sum=sample.total, sum_squares=sample.total_squares)


def _cases():
    for na, ca, nb, cb in PROPORTION_GRID:
        yield stats.Sample(na, ca), stats.Sample(nb, cb)
    for a, b in MEAN_GRID:
        yield stats.Sample(*a), stats.Sample(*b)


CASES = list(_cases())


@pytest.mark.parametrize(("a", "b"), CASES)
@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_fixed_horizon_matches_gbstats(a, b, alpha):
    ours = stats.compare(a, b, alpha=alpha)
    theirs = TwoSidedTTest(_gb(a), _gb(b), config=FrequentistConfig(alpha=alpha)).compute_result()
    assert ours.uplift == pytest.approx(theirs.expected, abs=1e-9)
    assert ours.ci_low == pytest.approx(theirs.ci[0], abs=1e-9)
    assert ours.ci_high == pytest.approx(theirs.ci[1], abs=1e-9)
    assert ours.p_value == pytest.approx(theirs.p_value, abs=1e-9)


@pytest.mark.parametrize(("a", "b"), CASES)
@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_sequential_matches_gbstats(a, b, alpha):
    ours = stats.compare(a, b, alpha=alpha, sequential=True)
    theirs = SequentialTwoSidedTTest(
        _gb(a), _gb(b), config=SequentialConfig(alpha=alpha, sequential_tuning_parameter=5000)
    ).compute_result()
    assert round(ours.ci_low, 4) == round(theirs.ci[0], 4)
    assert round(ours.ci_high, 4) == round(theirs.ci[1], 4)
    assert ours.p_value == pytest.approx(theirs.p_value, abs=1e-9)


@pytest.mark.parametrize(("a", "b"), CASES)
def test_sequential_interval_is_wider_than_the_fixed_one(a, b):
    fixed, sequential = stats.compare(a, b), stats.compare(a, b, sequential=True)
    assert sequential.ci_low < fixed.ci_low < fixed.ci_high < sequential.ci_high
    assert sequential.p_value >= fixed.p_value


@pytest.mark.parametrize(("a", "b"), CASES)
def test_normal_bayes_matches_gbstats(a, b):
    ours = stats.bayes_normal(a, b)
    theirs = EffectBayesianABTest(_gb(a), _gb(b)).compute_result()
    assert ours.chance_to_beat == pytest.approx(theirs.chance_to_win, abs=1e-9)
    # gbstats' risk is [loss of keeping control, loss of shipping the variant], relative.
    assert ours.expected_loss_control == pytest.approx(theirs.risk[0], abs=1e-9)
    assert ours.expected_loss == pytest.approx(theirs.risk[1], abs=1e-9)


@pytest.mark.parametrize(("na", "ca", "nb", "cb"), PROPORTION_GRID)
def test_difference_test_matches_statsmodels_wald(na, ca, nb, cb):
    ours = stats.difference_test(stats.Sample(na, ca), stats.Sample(nb, cb))
    statistic = sm_proportion.test_proportions_2indep(
        cb, nb, ca, na, method="wald", compare="diff", correction=False
    )
    low, high = sm_proportion.confint_proportions_2indep(
        cb, nb, ca, na, method="wald", compare="diff", alpha=0.05
    )
    assert ours.uplift == pytest.approx(cb / nb - ca / na, abs=1e-12)
    assert round(ours.p_value, 4) == round(statistic.pvalue, 4)
    assert round(ours.ci_low, 6) == round(low, 6)
    assert round(ours.ci_high, 6) == round(high, 6)


def test_welch_degrees_of_freedom_match_statsmodels_on_raw_revenue():
    rng = np.random.default_rng(7)
    a = rng.gamma(0.3, 40, size=800)
    b = rng.gamma(0.3, 46, size=900)
    sa = stats.Sample(len(a), float(a.sum()), float((a**2).sum()))
    sb = stats.Sample(len(b), float(b.sum()), float((b**2).sum()))
    _uplift, _variance, dof = stats.relative_uplift_arrays(
        sa.mean, sa.variance, sa.n, sb.mean, sb.variance, sb.n
    )
    compare = CompareMeans(DescrStatsW(b), DescrStatsW(a))
    _t, p_abs, sm_dof = compare.ttest_ind(usevar="unequal")
    assert float(dof) == pytest.approx(sm_dof, rel=1e-9)
    assert sa.variance == pytest.approx(np.var(a, ddof=1), rel=1e-9)
    ours = stats.difference_test(sa, sb)
    assert round(ours.p_value, 2) == round(p_abs, 2)  # z versus t with ~1,600 df


@pytest.mark.parametrize(
    ("p", "mde", "alpha", "power"), [(0.05, 0.1, 0.05, 0.8), (0.035, 0.2, 0.05, 0.9), (0.2, 0.05, 0.1, 0.8)]
)
def test_sample_size_matches_statsmodels_normal_power(p, mde, alpha, power):
    pb = p * (1 + mde)
    # Our relative test's z equals a two-sample z with control's variance scaled by (1 + mde)².
    sigma = math.sqrt((p * (1 - p) * (1 + mde) ** 2 + pb * (1 - pb)) / 2)
    expected = NormalIndPower().solve_power(effect_size=(pb - p) / sigma, alpha=alpha, power=power, ratio=1)
    assert stats.sample_size_proportions(p, mde, alpha=alpha, power=power) == math.ceil(expected)
    assert stats.power_proportions(p, mde, math.ceil(expected), alpha=alpha) >= power
    assert round(stats.power_proportions(p, mde, expected, alpha=alpha), 4) == power


def test_sample_size_for_revenue_matches_statsmodels():
    mean, sd, mde = 8.0, 30.0, 0.1
    sigma = math.sqrt((sd**2 * (1 + mde) ** 2 + sd**2) / 2)
    expected = NormalIndPower().solve_power(effect_size=mean * mde / sigma, alpha=0.05, power=0.8)
    assert stats.sample_size_means(mean, sd, mde) == math.ceil(expected)


def test_a_bigger_effect_needs_fewer_visitors_and_days_follow_traffic():
    small = stats.sample_size_proportions(0.035, 0.05)
    large = stats.sample_size_proportions(0.035, 0.2)
    assert large < small
    assert stats.days_needed(per_variant=10_000, variants=2, daily_visitors=1_000) == 20
    assert (
        stats.days_needed(per_variant=10_000, variants=2, daily_visitors=1_000, visitors_so_far=15_000) == 5
    )
    assert stats.days_needed(per_variant=10_000, variants=2, daily_visitors=0) is None


@pytest.mark.parametrize("bad", [{"mde": 0}, {"p_control": 0}, {"p_control": 0.6, "mde": 1}])
def test_sample_size_refuses_impossible_designs(bad):
    with pytest.raises(ValueError):
        stats.sample_size_proportions(**({"p_control": 0.05, "mde": 0.1} | bad))


@pytest.mark.parametrize(("na", "ca", "nb", "cb"), PROPORTION_GRID)
def test_beta_binomial_matches_numerical_integration(na, ca, nb, cb):
    a1, b1, a2, b2 = 1 + ca, 1 + na - ca, 1 + cb, 1 + nb - cb
    A, B, A_plus = st.beta(a1, b1), st.beta(a2, b2), st.beta(a1 + 1, b1)
    lo, hi = min(A.ppf(1e-12), B.ppf(1e-12)), max(A.isf(1e-12), B.isf(1e-12))
    points = [A.mean(), B.mean()]
    chance = integrate.quad(lambda x: B.pdf(x) * A.cdf(x), lo, hi, points=points, epsabs=1e-12, limit=200)[0]
    # E[max(A − B, 0)] = ∫ f_B(y) (m_A P(A⁺ > y) − y P(A > y)) dy
    loss = integrate.quad(
        lambda y: B.pdf(y) * (A.mean() * A_plus.sf(y) - y * A.sf(y)),
        lo,
        hi,
        points=points,
        epsabs=1e-13,
        limit=200,
    )[0]
    ours = stats.bayes_beta_binomial(stats.Sample(na, ca), stats.Sample(nb, cb))
    assert round(ours.chance_to_beat, 4) == round(chance, 4)
    assert ours.expected_loss == pytest.approx(loss / A.mean(), abs=1e-6)


@pytest.mark.parametrize(("na", "ca", "nb", "cb"), [c for c in PROPORTION_GRID if c[0] >= 5000])
def test_beta_binomial_is_close_to_gbstats_normal_model_on_large_samples(na, ca, nb, cb):
    """Different models (exact beta posteriors vs a normal on the relative uplift): close, not equal."""
    ours = stats.bayes_beta_binomial(stats.Sample(na, ca), stats.Sample(nb, cb))
    theirs = EffectBayesianABTest(
        ProportionStatistic(n=na, sum=ca), ProportionStatistic(n=nb, sum=cb)
    ).compute_result()
    assert ours.chance_to_beat == pytest.approx(theirs.chance_to_win, abs=0.02)


def test_huge_counts_use_the_normal_limit_of_the_beta_posteriors():
    result = stats.bayes_beta_binomial(
        stats.Sample(90_000_000, 3_150_000), stats.Sample(90_000_000, 3_160_000)
    )
    m = st.norm.sf(0, 10_000 / 90_000_002, math.sqrt(2 * 0.035 * 0.965 / 90_000_000))
    assert result.chance_to_beat == pytest.approx(m, abs=1e-3)


@pytest.mark.parametrize(
    ("visitors", "weights"),
    [([5000, 5000], [1, 1]), ([5100, 4900], [1, 1]), ([5000, 4700, 5300], [1, 1, 1]), ([6000, 4000], [3, 2])],
)
def test_srm_matches_scipy_chisquare_and_gbstats(visitors, weights):
    expected = np.asarray(weights) / sum(weights) * sum(visitors)
    assert stats.srm_p_value(visitors, weights) == pytest.approx(
        st.chisquare(visitors, expected).pvalue, abs=1e-12
    )
    assert stats.srm_p_value(visitors, weights) == pytest.approx(check_srm(visitors, weights), abs=1e-12)


def test_srm_flags_a_broken_split_only():
    assert stats.srm_p_value([10_000, 9_500]) < stats.SRM_THRESHOLD
    assert stats.srm_p_value([10_000, 9_900]) > stats.SRM_THRESHOLD


@pytest.mark.parametrize("p_values", [[0.01, 0.04, 0.03], [0.2, 0.001], [0.05], [0.04, 0.04, 0.5, 0.001]])
def test_holm_matches_statsmodels(p_values):
    assert stats.holm(p_values) == pytest.approx(
        multipletests(p_values, method="holm")[1].tolist(), abs=1e-12
    )


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        (stats.Sample(0, 0), stats.Sample(100, 5), "visitors"),
        (stats.Sample(100, 0), stats.Sample(100, 5), "control_zero"),
        (stats.Sample(100, 5), stats.Sample(100, 0), "variance"),
    ],
)
def test_undefined_comparisons_say_not_enough_data(a, b, reason):
    with pytest.raises(stats.NotEnoughData) as info:
        stats.compare(a, b)
    assert info.value.reason == reason


# --- simulations -----------------------------------------------------------------------------------

EXPERIMENTS = 2000
PEEKS = 20
PER_PEEK = 500  # visitors per variant between two looks
RATE = 0.05


def _binomial_bound(alpha: float) -> int:
    """The most false positives a correct 2,000-test run shows, except one time in 1,000."""
    return int(st.binom.ppf(0.999, EXPERIMENTS, alpha))


def _aa_looks(rng):
    """Cumulative (n, conversions) of control and variant at each of 20 looks, for 2,000 A/A tests."""
    a = rng.binomial(PER_PEEK, RATE, size=(EXPERIMENTS, PEEKS)).cumsum(axis=1)
    b = rng.binomial(PER_PEEK, RATE, size=(EXPERIMENTS, PEEKS)).cumsum(axis=1)
    n = np.arange(1, PEEKS + 1) * PER_PEEK
    return n, a, b


def _p_values(method, n, a, b, alpha=0.05):
    ma, mb = a / n, b / n
    return method(ma, ma * (1 - ma), n, mb, mb * (1 - mb), n, alpha)[3]


def test_aa_tests_keep_the_false_positive_rate_at_alpha():
    n, a, b = _aa_looks(np.random.default_rng(20260601))
    p = _p_values(stats.fixed_horizon_arrays, n[-1], a[:, -1], b[:, -1])
    false_positives = int((p < 0.05).sum())
    assert st.binom.ppf(0.001, EXPERIMENTS, 0.05) <= false_positives <= _binomial_bound(0.05)


def test_peeking_twenty_times_breaks_the_fixed_test_but_not_the_sequential_one():
    n, a, b = _aa_looks(np.random.default_rng(20260602))
    fixed = (_p_values(stats.fixed_horizon_arrays, n, a, b) < 0.05).any(axis=1).sum()
    sequential = (_p_values(stats.sequential_arrays, n, a, b) < 0.05).any(axis=1).sum()
    assert fixed > _binomial_bound(0.05)  # stopping at the first p < 0.05 finds "winners" that are not
    assert sequential <= _binomial_bound(0.05)


def test_the_designed_sample_size_gives_the_promised_power():
    """Simulate A/B tests with the true effect = MDE at the planned size: ~80 % are significant."""
    rng = np.random.default_rng(11)
    p, mde = 0.05, 0.15
    n = stats.sample_size_proportions(p, mde)
    a = rng.binomial(n, p, size=EXPERIMENTS)
    b = rng.binomial(n, p * (1 + mde), size=EXPERIMENTS)
    detected = int((_p_values(stats.fixed_horizon_arrays, n, a, b) < 0.05).sum())
    low, high = st.binom.ppf([0.001, 0.999], EXPERIMENTS, 0.8)
    assert low <= detected <= high
