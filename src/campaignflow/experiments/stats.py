"""A/B test statistics over summary counts: pure functions, numpy and scipy only, no Django.

A variant's data is a `Sample`: visitors `n`, the `total` of the metric (conversions, or revenue)
and, for revenue, the `total_squares` (sum of each visitor's revenue squared) that gives its
variance. "a" is the control and "b" a treatment; effects are the relative uplift (b − a) / a.

The frequentist, sequential and normal-Bayesian results follow GrowthBook's stats engine
(`gbstats` 0.8: TwoSidedTTest, SequentialTwoSidedTTest, EffectBayesianABTest with its default flat
prior), so the test suite checks them against it to 4 decimals:

- variance of a conversion: p(1 − p); of revenue: the sample variance (n − 1 in the denominator);
- relative uplift with the delta-method variance var_b / (a² n_b) + var_a b² / (a⁴ n_a) (unpooled);
- two-sided Welch t test (Welch–Satterthwaite degrees of freedom) on that relative uplift;
- sequential option: the always-valid mixture-SPRT interval and p-value of Waudby-Smith et al.
  (arXiv 2103.06476 eq. 9, 155, 161) with gbstats' tuning parameter 5,000.

For conversions the Bayesian chance to beat control and the expected loss are also computed
exactly under independent Beta(1, 1) priors (beta-binomial), which gbstats 0.8 no longer does; the
normal approximation is used for revenue. The array functions (`*_arrays`) accept numpy arrays so
that thousands of simulated experiments are evaluated at once.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


class _OnFirstUse:
    """A module imported when first used: SciPy costs ~60 MB and half a second in every process
    (the import command, the worker) that loads the apps but never computes a test result."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        module = importlib.import_module(self._name)
        self.__dict__.update(vars(module))
        return getattr(module, attr)


optimize, special, st = (
    _OnFirstUse("scipy.optimize"),
    _OnFirstUse("scipy.special"),
    _OnFirstUse("scipy.stats"),
)

SEQUENTIAL_TUNING = 5000.0  # gbstats' default: the sample size where the interval is tightest
BETA_PRIOR = (1.0, 1.0)  # uniform prior on a conversion rate
EXACT_BETA_LIMIT = 2_000_000  # above this many conversions the beta posteriors are normal to 1e-6
SRM_THRESHOLD = 0.001  # chi-square p-value under which the traffic split is called off


class NotEnoughData(ValueError):
    """The counts cannot support a result yet (no visitors, no conversions in control, no variance)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Sample:
    """One variant's summary: visitors, metric total and (for revenue) the sum of squares."""

    n: int
    total: float
    total_squares: float | None = None  # None: a conversion (0/1 per visitor), squares == total

    @property
    def binary(self) -> bool:
        return self.total_squares is None

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else 0.0

    @property
    def variance(self) -> float:
        return float(
            sample_variance(
                self.n, self.total, self.total if self.binary else self.total_squares, self.binary
            )
        )


def sample_variance(n, total, total_squares, binary: bool):
    """Per-visitor variance: p(1 − p) for a conversion, the unbiased sample variance for revenue."""
    n = np.asarray(n, dtype=float)
    total = np.asarray(total, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if binary:
            p = np.where(n > 0, total / n, 0.0)
            return p * (1 - p)
        squares = np.asarray(total_squares, dtype=float)
        return np.where(n > 1, (squares - total**2 / np.where(n > 0, n, 1)) / (n - 1), 0.0)


def check_samples(a: Sample, b: Sample) -> None:
    """Raise NotEnoughData when a relative comparison of b with a is not defined yet."""
    if a.n < 2 or b.n < 2:
        raise NotEnoughData("visitors")
    if a.mean == 0:
        raise NotEnoughData("control_zero")
    if a.variance <= 0 or b.variance <= 0:
        raise NotEnoughData("variance")


# --- frequentist ---------------------------------------------------------------------------------


def relative_uplift_arrays(mean_a, var_a, n_a, mean_b, var_b, n_b):
    """(uplift, its delta-method variance, Welch degrees of freedom) for arrays of experiments."""
    mean_a, mean_b = np.asarray(mean_a, float), np.asarray(mean_b, float)
    var_a, var_b = np.asarray(var_a, float), np.asarray(var_b, float)
    n_a, n_b = np.asarray(n_a, float), np.asarray(n_b, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        uplift = (mean_b - mean_a) / mean_a
        variance = var_b / (mean_a**2 * n_b) + var_a * mean_b**2 / (mean_a**4 * n_a)
        dof = (var_b / n_b + var_a / n_a) ** 2 / (
            var_b**2 / (n_b**2 * (n_b - 1)) + var_a**2 / (n_a**2 * (n_a - 1))
        )
    return uplift, variance, dof


def fixed_horizon_arrays(mean_a, var_a, n_a, mean_b, var_b, n_b, alpha: float = 0.05):
    """Two-sided Welch t test of the relative uplift: (uplift, ci_low, ci_high, p_value)."""
    uplift, variance, dof = relative_uplift_arrays(mean_a, var_a, n_a, mean_b, var_b, n_b)
    se = np.sqrt(variance)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = 2 * st.t.sf(np.abs(uplift / se), dof)
    width = st.t.ppf(1 - alpha / 2, dof) * se
    return uplift, uplift - width, uplift + width, p_value


def sequential_rho(alpha: float, tuning: float = SEQUENTIAL_TUNING) -> float:
    """The mixture's spread, chosen so the interval is tightest at `tuning` visitors (eq. 161)."""
    return math.sqrt((-2 * math.log(alpha) + math.log(-2 * math.log(alpha) + 1)) / tuning)


def sequential_arrays(
    mean_a, var_a, n_a, mean_b, var_b, n_b, alpha: float = 0.05, tuning: float = SEQUENTIAL_TUNING
):
    """Always-valid interval and p-value (mixture SPRT): valid however often one looks.

    Returns (uplift, ci_low, ci_high, p_value); the p-value is 1 / e-value, capped at 1.
    """
    uplift, variance, _dof = relative_uplift_arrays(mean_a, var_a, n_a, mean_b, var_b, n_b)
    total = np.asarray(n_a, float) + np.asarray(n_b, float)
    rho2 = sequential_rho(alpha, tuning) ** 2
    s2 = variance * total
    spread = total * rho2 + 1
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        width = np.sqrt(s2) * np.sqrt(2 * spread * np.log(np.sqrt(spread) / alpha) / (total**2 * rho2))
        st2 = uplift**2 * total / variance
        log_evalue = rho2 * st2 / (2 * spread) - 0.5 * np.log(spread)
        p_value = np.minimum(np.exp(-log_evalue), 1.0)
    return uplift, uplift - width, uplift + width, p_value


@dataclass(frozen=True)
class Comparison:
    """A treatment against control: relative uplift with its interval and p-value."""

    uplift: float
    ci_low: float
    ci_high: float
    p_value: float
    sequential: bool = False


def compare(a: Sample, b: Sample, *, alpha: float = 0.05, sequential: bool = False) -> Comparison:
    """The fixed-horizon (or, with `sequential`, the always-valid) test of b against a."""
    check_samples(a, b)
    method = sequential_arrays if sequential else fixed_horizon_arrays
    values = method(a.mean, a.variance, a.n, b.mean, b.variance, b.n, alpha)
    return Comparison(*(float(value) for value in values), sequential=sequential)


def difference_test(a: Sample, b: Sample, *, alpha: float = 0.05) -> Comparison:
    """Absolute difference b − a: unpooled Wald z test and interval (the textbook two-sample test).

    `uplift` holds the difference here, in the metric's unit (rate points or currency per visitor).
    """
    if a.n < 1 or b.n < 1:
        raise NotEnoughData("visitors")
    se = math.sqrt(a.variance / a.n + b.variance / b.n)
    if se == 0:
        raise NotEnoughData("variance")
    diff = b.mean - a.mean
    z = st.norm.ppf(1 - alpha / 2)
    return Comparison(diff, diff - z * se, diff + z * se, float(2 * st.norm.sf(abs(diff / se))))


# --- Bayesian ------------------------------------------------------------------------------------


def _prob_greater_exact(a1: float, b1: float, a2: float, b2: float) -> float:
    """P(X > Y) for X ~ Beta(a1, b1), Y ~ Beta(a2, b2) with integer a1 (Evan Miller's sum)."""
    i = np.arange(int(a1), dtype=float)
    terms = (
        special.betaln(a2 + i, b1 + b2) - np.log(b1 + i) - special.betaln(1 + i, b1) - special.betaln(a2, b2)
    )
    return float(np.exp(terms).sum())


def prob_greater(a1: float, b1: float, a2: float, b2: float) -> float:
    """P(X > Y) for independent X ~ Beta(a1, b1), Y ~ Beta(a2, b2)."""
    if max(a1, a2) > EXACT_BETA_LIMIT:  # posteriors are normal to within 1e-6 here
        m1, m2 = a1 / (a1 + b1), a2 / (a2 + b2)
        v1 = a1 * b1 / ((a1 + b1) ** 2 * (a1 + b1 + 1))
        v2 = a2 * b2 / ((a2 + b2) ** 2 * (a2 + b2 + 1))
        return float(st.norm.sf(0, m1 - m2, math.sqrt(v1 + v2)))
    # The sum runs over the first shape parameter: take the side with fewer terms.
    if a1 <= a2:
        return min(max(_prob_greater_exact(a1, b1, a2, b2), 0.0), 1.0)
    return min(max(1.0 - _prob_greater_exact(a2, b2, a1, b1), 0.0), 1.0)


@dataclass(frozen=True)
class BayesResult:
    """Chance that b beats a, and the expected loss of choosing each (relative to control's mean)."""

    chance_to_beat: float
    expected_loss: float  # of shipping b: E[max(a − b, 0)] / mean of a
    expected_loss_control: float  # of keeping a: E[max(b − a, 0)] / mean of a


def bayes_beta_binomial(a: Sample, b: Sample, prior: tuple[float, float] = BETA_PRIOR) -> BayesResult:
    """Exact beta-binomial posterior comparison of two conversion rates.

    Expected loss uses Stucchio's identity E[max(X − Y, 0)] = m_X P(X⁺ > Y) − m_Y P(X > Y⁺), where
    X⁺ is X's posterior with one more success; it is divided by control's posterior mean so that it
    reads like the uplift (a fraction of control).
    """
    if a.n < 1 or b.n < 1:
        raise NotEnoughData("visitors")
    if a.total > a.n or b.total > b.n or min(a.total, b.total) < 0:
        raise ValueError("conversions must be between 0 and visitors")
    a1, b1 = prior[0] + a.total, prior[1] + a.n - a.total
    a2, b2 = prior[0] + b.total, prior[1] + b.n - b.total
    mean_a, mean_b = a1 / (a1 + b1), a2 / (a2 + b2)
    chance = prob_greater(a2, b2, a1, b1)
    loss_b = mean_a * prob_greater(a1 + 1, b1, a2, b2) - mean_b * prob_greater(a1, b1, a2 + 1, b2)
    loss_a = mean_b * prob_greater(a2 + 1, b2, a1, b1) - mean_a * prob_greater(a2, b2, a1 + 1, b1)
    return BayesResult(chance, max(loss_b, 0.0) / mean_a, max(loss_a, 0.0) / mean_a)


def normal_loss_arrays(mu, sigma):
    """E[max(−D, 0)] and E[max(D, 0)] for D ~ Normal(mu, sigma): losses of shipping and of not."""
    mu, sigma = np.asarray(mu, float), np.asarray(sigma, float)
    z = mu / sigma
    positive = mu * st.norm.cdf(z) + sigma * st.norm.pdf(z)
    negative = positive - mu
    return negative, positive


def bayes_normal(a: Sample, b: Sample) -> BayesResult:
    """Normal posterior of the relative uplift under a flat prior (gbstats' EffectBayesianABTest)."""
    check_samples(a, b)
    uplift, variance, _dof = relative_uplift_arrays(a.mean, a.variance, a.n, b.mean, b.variance, b.n)
    sigma = math.sqrt(float(variance))
    loss_b, loss_a = normal_loss_arrays(uplift, sigma)
    return BayesResult(float(st.norm.sf(0, float(uplift), sigma)), float(loss_b), float(loss_a))


def bayes(a: Sample, b: Sample) -> BayesResult:
    """Beta-binomial for conversions, the normal model for revenue."""
    if a.binary and b.binary:
        return bayes_beta_binomial(a, b)
    return bayes_normal(a, b)


# --- checks across variants ----------------------------------------------------------------------


def srm_p_value(visitors: Sequence[float], weights: Sequence[float] | None = None) -> float:
    """Chi-square test that visitors split as the weights say (sample-ratio mismatch)."""
    counts = np.asarray(visitors, dtype=float)
    shares = np.ones_like(counts) if weights is None else np.asarray(weights, dtype=float)
    if counts.sum() <= 0 or len(counts) < 2:
        return 1.0
    expected = shares / shares.sum() * counts.sum()
    statistic = float(((counts - expected) ** 2 / expected).sum())
    return float(st.chi2.sf(statistic, len(counts) - 1))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values (family-wise error across several treatments)."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return []
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    result = np.empty(m)
    result[order] = adjusted
    return result.tolist()


# --- design --------------------------------------------------------------------------------------


def power_arrays(delta, var_a, var_b, n_a, n_b, alpha: float = 0.05):
    """Power of the two-sided z test of a difference `delta` (both tails counted)."""
    se = np.sqrt(np.asarray(var_a, float) / n_a + np.asarray(var_b, float) / n_b)
    z = st.norm.ppf(1 - alpha / 2)
    shift = np.abs(delta) / se
    return st.norm.cdf(shift - z) + st.norm.cdf(-shift - z)


def _solve_n(delta: float, var_a: float, var_b: float, alpha: float, power: float) -> float:
    """Visitors per variant (not rounded) at which the test has the given power."""
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError("alpha and power must be between 0 and 1")
    if delta == 0 or var_a + var_b <= 0:
        raise ValueError("the effect and the variance must not be 0")
    z = st.norm.ppf(1 - alpha / 2) + st.norm.ppf(power)
    guess = z**2 * (var_a + var_b) / delta**2  # ignores the far tail: a lower bound
    if power <= alpha:
        return 1.0

    def gap(n: float) -> float:
        return float(power_arrays(delta, var_a, var_b, n, n, alpha)) - power

    upper = guess * 1.01 + 1
    while gap(upper) < 0:
        upper *= 2
    return float(optimize.brentq(gap, max(guess * 0.5, 1e-9), upper, xtol=1e-10, rtol=1e-14))


def _relative_variances(mean_a: float, var_a: float, var_b: float, mde: float) -> tuple[float, float]:
    """Per-visitor variances on the absolute scale that make the z test equal our relative test.

    The delta-method z of the relative uplift is (b − a) / sqrt((var_b + var_a (b/a)²) / n), so
    control's variance counts (1 + mde)² times.
    """
    return var_a * (1 + mde) ** 2, var_b


def sample_size_proportions(p_control: float, mde: float, *, alpha: float = 0.05, power: float = 0.8) -> int:
    """Visitors per variant to detect a relative change `mde` of a conversion rate."""
    if not 0 < p_control < 1:
        raise ValueError("the baseline rate must be between 0 and 1")
    p_b = p_control * (1 + mde)
    if not 0 < p_b < 1:
        raise ValueError("the rate with the effect must be between 0 and 1")
    var_a, var_b = _relative_variances(p_control, p_control * (1 - p_control), p_b * (1 - p_b), mde)
    return math.ceil(_solve_n(p_b - p_control, var_a, var_b, alpha, power) - 1e-9)


def sample_size_means(
    mean_control: float, sd: float, mde: float, *, alpha: float = 0.05, power: float = 0.8
) -> int:
    """Visitors per variant to detect a relative change `mde` of a mean (revenue per visitor)."""
    if mean_control <= 0 or sd <= 0:
        raise ValueError("the baseline mean and standard deviation must be positive")
    var_a, var_b = _relative_variances(mean_control, sd**2, sd**2, mde)
    return math.ceil(_solve_n(mean_control * mde, var_a, var_b, alpha, power) - 1e-9)


def power_proportions(p_control: float, mde: float, n: float, *, alpha: float = 0.05) -> float:
    """The power the relative test has with n visitors per variant."""
    p_b = p_control * (1 + mde)
    var_a, var_b = _relative_variances(p_control, p_control * (1 - p_control), p_b * (1 - p_b), mde)
    return float(power_arrays(p_b - p_control, var_a, var_b, n, n, alpha))


def power_means(mean_control: float, sd: float, mde: float, n: float, *, alpha: float = 0.05) -> float:
    var_a, var_b = _relative_variances(mean_control, sd**2, sd**2, mde)
    return float(power_arrays(mean_control * mde, var_a, var_b, n, n, alpha))


def days_needed(
    *, per_variant: int, variants: int, daily_visitors: float, visitors_so_far: float = 0
) -> int | None:
    """Whole days until every variant has `per_variant` visitors at the given total daily traffic."""
    if daily_visitors <= 0:
        return None
    remaining = max(per_variant * variants - visitors_so_far, 0)
    return math.ceil(remaining / daily_visitors)
