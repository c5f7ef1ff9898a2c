"""Every derived metric, computed one way for the API, the web UI and the reports (DESIGN §4).

Pure Python on purpose (no Django import): reports, jobs and tests call it with plain numbers.
Inputs are *summed* base measures (a day, a channel, a whole campaign); a derived metric is never
the average of per-day ratios. A ratio whose denominator is 0 (or missing) is None: not NaN, not
an exception, and not 0, because "no clicks yet" is not "a CTR of 0 %".

Formulas are a tiny expression language over base measures: numbers, the measure names,
`+ - * /` and parentheses, e.g. `(revenue - cost) / cost`. They are parsed with Python's `ast`
and only those node types are accepted, so a formula stored by a user can never run code.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from functools import lru_cache

Number = int | float | Decimal

COUNT_MEASURES: tuple[str, ...] = (
    "impressions",
    "clicks",
    "conversions",  # paying users (seed 003: CVR = paying users / clicking users)
    "new_users",
    "leads",
    "mqls",
    "opportunities",
    "visits",  # foot traffic 客流量
    "negative_comments",
)
AMOUNT_MEASURES: tuple[str, ...] = ("revenue", "cost")
BASE_MEASURES: tuple[str, ...] = (
    "impressions",
    "clicks",
    "conversions",
    "new_users",
    "revenue",
    "cost",
    "leads",
    "mqls",
    "opportunities",
    "visits",
    "negative_comments",
)

HIGHER, LOWER = "higher", "lower"
COUNT, CURRENCY, RATIO = "count", "currency", "ratio"
UNITS = (COUNT, CURRENCY, RATIO)
DIRECTIONS = (HIGHER, LOWER)
FORMULA_MAX_LENGTH = 200


@dataclass(frozen=True)
class Definition:
    """What a metric means: its key, formula over base measures, unit and better direction."""

    key: str
    formula: str
    unit: str = RATIO
    direction: str = HIGHER
    names: Mapping[str, str] = field(default_factory=dict)  # language code -> name

    @property
    def is_base(self) -> bool:
        return self.formula == self.key and self.key in BASE_MEASURES


def _base(key: str, unit: str, direction: str, en: str, hans: str, hant: str) -> Definition:
    return Definition(key, key, unit, direction, {"en": en, "zh-hans": hans, "zh-hant": hant})


def _derived(key: str, formula: str, unit: str, direction: str, en: str, hans: str, hant: str) -> Definition:
    return Definition(key, formula, unit, direction, {"en": en, "zh-hans": hans, "zh-hant": hant})


# The organization's starting definitions; the data migration seeds MetricDefinition from a copy.
BUILTIN_DEFINITIONS: tuple[Definition, ...] = (
    _base("impressions", COUNT, HIGHER, "Impressions", "曝光量", "曝光量"),
    _base("clicks", COUNT, HIGHER, "Clicks", "点击量", "點擊量"),
    _base(
        "conversions", COUNT, HIGHER, "Conversions (paying users)", "转化量（付费用户）", "轉化量（付費用戶）"
    ),
    _base("new_users", COUNT, HIGHER, "New users", "新增用户", "新增用戶"),
    _base("revenue", CURRENCY, HIGHER, "Revenue", "销售额", "銷售額"),
    _base("cost", CURRENCY, LOWER, "Cost", "花费", "花費"),
    _base("leads", COUNT, HIGHER, "Leads", "线索", "線索"),
    _base("mqls", COUNT, HIGHER, "MQLs", "营销合格线索（MQL）", "行銷合格線索（MQL）"),
    _base("opportunities", COUNT, HIGHER, "Opportunities", "商机", "商機"),
    _base("visits", COUNT, HIGHER, "Visits (foot traffic)", "客流量", "客流量"),
    _base("negative_comments", COUNT, LOWER, "Negative comments", "负面评论", "負面評論"),
    _derived("ctr", "clicks / impressions", RATIO, HIGHER, "CTR", "点击率", "點擊率"),
    _derived("cvr", "conversions / clicks", RATIO, HIGHER, "CVR", "转化率", "轉化率"),
    _derived("cpa", "cost / conversions", CURRENCY, LOWER, "CPA", "单次转化成本", "單次轉化成本"),
    _derived("cpl", "cost / leads", CURRENCY, LOWER, "CPL", "单条线索成本", "單條線索成本"),
    _derived("mql_rate", "mqls / leads", RATIO, HIGHER, "MQL rate", "MQL率", "MQL率"),
    _derived("roas", "revenue / cost", RATIO, HIGHER, "ROAS", "投入产出比（ROAS）", "投入產出比（ROAS）"),
    _derived(
        "roi", "(revenue - cost) / cost", RATIO, HIGHER, "ROI", "投资回报率（ROI）", "投資回報率（ROI）"
    ),
)
BUILTIN = {definition.key: definition for definition in BUILTIN_DEFINITIONS}
DERIVED_DEFINITIONS = tuple(d for d in BUILTIN_DEFINITIONS if not d.is_base)


# --- the formula language -------------------------------------------------------------------------


class FormulaError(ValueError):
    """A formula that does not parse or names something other than a base measure.

    `code` and `params` let the caller word the message in the user's language.
    """

    def __init__(self, code: str, **params):
        super().__init__(code, params)
        self.code = code
        self.params = params


Evaluator = Callable[[Mapping[str, Decimal]], Decimal | None]


@dataclass(frozen=True)
class Formula:
    text: str
    measures: frozenset[str]
    evaluate: Evaluator


def _compile(node: ast.AST) -> tuple[Evaluator, set[str]]:
    """A closure computing the node from a measures mapping, and the measures it reads."""
    if isinstance(node, ast.Expression):
        return _compile(node.body)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        constant = Decimal(str(node.value))
        return (lambda measures: constant), set()
    if isinstance(node, ast.Name):
        name = node.id
        if name not in BASE_MEASURES:
            raise FormulaError("unknown_name", name=name)
        return (lambda measures: measures.get(name)), {name}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand, names = _compile(node.operand)
        if isinstance(node.op, ast.UAdd):
            return operand, names
        return (lambda measures: _neg(operand(measures))), names
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
        left, left_names = _compile(node.left)
        right, right_names = _compile(node.right)
        operation = _OPERATIONS[type(node.op)]
        return (lambda measures: operation(left(measures), right(measures))), left_names | right_names
    raise FormulaError("not_allowed", part=_show(node))


def _show(node: ast.AST) -> str:
    try:
        return ast.unparse(node)[:40]
    except Exception:  # pragma: no cover - unparse handles every node ast.parse produces
        return type(node).__name__


def _neg(value: Decimal | None) -> Decimal | None:
    return None if value is None else -value


def _add(a, b):
    return None if a is None or b is None else a + b


def _sub(a, b):
    return None if a is None or b is None else a - b


def _mul(a, b):
    return None if a is None or b is None else a * b


def _div(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


_OPERATIONS = {ast.Add: _add, ast.Sub: _sub, ast.Mult: _mul, ast.Div: _div}


@lru_cache(maxsize=256)
def compile_formula(text: str) -> Formula:
    """Parse and check a formula; FormulaError names what is wrong."""
    text = (text or "").strip()
    if not text:
        raise FormulaError("empty")
    if len(text) > FORMULA_MAX_LENGTH:
        raise FormulaError("too_long", max=FORMULA_MAX_LENGTH)
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError):
        raise FormulaError("syntax")
    evaluate, names = _compile(tree)
    if not names:
        raise FormulaError("no_measure")
    return Formula(text=text, measures=frozenset(names), evaluate=evaluate)


# --- computing ----------------------------------------------------------------------------------


ZERO = Decimal(0)


def to_decimal(value: Number | str | None) -> Decimal:
    """A summed measure as a Decimal; a missing sum (no rows) counts as 0."""
    kind = type(value)
    if kind is Decimal:
        return value
    if kind is int:
        return Decimal(value)
    if value is None or value == "":
        return ZERO
    if kind is float:
        return Decimal(repr(value))
    return Decimal(value)


def measures_of(values: Mapping[str, Number | str | None]) -> dict[str, Decimal]:
    """Every base measure as a Decimal (absent or None → 0)."""
    return {name: to_decimal(values.get(name)) for name in BASE_MEASURES}


def evaluate(formula: str | Formula, values: Mapping[str, Number | str | None]) -> Decimal | None:
    """One formula over summed measures; None when a denominator is 0."""
    compiled = compile_formula(formula) if isinstance(formula, str) else formula
    with localcontext() as context:
        context.prec = 28
        try:
            return compiled.evaluate(measures_of(values))
        except (InvalidOperation, ArithmeticError):
            return None


def ratio(numerator: Number | None, denominator: Number | None) -> Decimal | None:
    """numerator / denominator, or None when the denominator is 0 or missing."""
    return _div(to_decimal(numerator), to_decimal(denominator))


def derive(
    values: Mapping[str, Number | str | None], definitions: Iterable[Definition] = DERIVED_DEFINITIONS
) -> dict[str, Decimal | None]:
    """Every derived metric of `definitions` from one set of summed base measures."""
    measures = measures_of(values)
    result: dict[str, Decimal | None] = {}
    with localcontext() as context:
        context.prec = 28
        for definition in definitions:
            if definition.is_base:
                continue
            try:
                result[definition.key] = compile_formula(definition.formula).evaluate(measures)
            except (InvalidOperation, ArithmeticError):
                result[definition.key] = None
    return result


def value_of(
    key: str, values: Mapping[str, Number | str | None], definitions: Mapping[str, Definition] = BUILTIN
) -> Decimal | None:
    """A base measure's sum or a derived metric's value, by key; None if the key is unknown."""
    if key in BASE_MEASURES:
        return to_decimal(values.get(key))
    definition = definitions.get(key)
    if definition is None:
        return None
    return evaluate(definition.formula, values)


def achievement(actual: Number | None, target: Number | None, direction: str = HIGHER) -> Decimal | None:
    """Target completion: actual / target, inverted (target / actual) when lower is better.

    1 means exactly on target, above 1 better than target, whichever the direction. None when
    it cannot be computed (no actual, or a zero denominator: a zero target, or a lower-is-better
    metric whose actual is 0 — see `goal_met` for whether such a goal is met).
    """
    if actual is None or target is None:
        return None
    if direction == LOWER:
        return ratio(target, actual)
    return ratio(actual, target)


def goal_met(actual: Number | None, target: Number | None, direction: str = HIGHER) -> bool | None:
    """Whether the actual value reaches the target in the metric's better direction."""
    if actual is None or target is None:
        return None
    actual, target = to_decimal(actual), to_decimal(target)
    return actual <= target if direction == LOWER else actual >= target


def rounded(value: Decimal | None, places: int) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# --- budget shift between channels --------------------------------------------------------------


@dataclass(frozen=True)
class ChannelReturn:
    """What one channel spent and returned in a period."""

    key: object  # the caller's channel identifier
    cost: Decimal
    revenue: Decimal
    conversions: Decimal


@dataclass(frozen=True)
class BudgetShift:
    """Move `amount` from the weakest channel to the strongest, by return per yuan spent."""

    basis: str  # "roas" (revenue per cost) or "conversions_per_cost"
    source: object
    target: object
    source_return: Decimal
    target_return: Decimal
    amount: Decimal
    expected_gain: Decimal  # amount × (target return − source return), in the basis' unit


# A channel must carry this share of the spend to be judged: a channel that spent ¥50 has a
# return too noisy to move budget on.
MIN_COST_SHARE = Decimal("0.05")
# The strongest channel must return at least this multiple of the weakest, or the suggestion is
# within noise and none is made.
MIN_GAP = Decimal("1.2")
# The share of the weakest channel's spend in the period suggested for moving.
SHIFT_SHARE = Decimal("0.20")


def return_basis(channels: Sequence[ChannelReturn]) -> str | None:
    """ROAS when the campaign records revenue; conversions per yuan when it only records those."""
    if any(c.revenue > 0 for c in channels):
        return "roas"
    if any(c.conversions > 0 for c in channels):
        return "conversions_per_cost"
    return None


def channel_return(channel: ChannelReturn, basis: str) -> Decimal | None:
    numerator = channel.revenue if basis == "roas" else channel.conversions
    return ratio(numerator, channel.cost)


def budget_shift(
    channels: Sequence[ChannelReturn],
    *,
    min_cost_share: Decimal = MIN_COST_SHARE,
    min_gap: Decimal = MIN_GAP,
    share: Decimal = SHIFT_SHARE,
) -> BudgetShift | None:
    """Suggest moving part of the weakest channel's spend to the strongest one.

    The return of the next yuan is approximated by each channel's return per yuan in the period
    (ROAS, or conversions per yuan without revenue). Only channels with at least
    `min_cost_share` of the spend are judged; no suggestion unless at least two qualify and the
    best returns at least `min_gap` times the worst. The amount is `share` of the weakest
    channel's spend, rounded to whole yuan.
    """
    basis = return_basis(channels)
    total_cost = sum((c.cost for c in channels), Decimal(0))
    if basis is None or total_cost <= 0:
        return None
    judged = [
        (channel_return(c, basis), c)
        for c in channels
        if c.cost > 0 and c.cost / total_cost >= min_cost_share
    ]
    judged = [(value, c) for value, c in judged if value is not None]
    if len(judged) < 2:
        return None
    judged.sort(key=lambda item: item[0])
    (worst, source), (best, target) = judged[0], judged[-1]
    if best <= 0 or best < worst * min_gap:
        return None
    amount = (source.cost * share).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if amount <= 0:
        return None
    return BudgetShift(
        basis=basis,
        source=source.key,
        target=target.key,
        source_return=worst,
        target_return=best,
        amount=amount,
        expected_gain=amount * (best - worst),
    )
