"""Which column of a channel export holds which measure: header aliases and platform presets.

A header is matched after normalization (full-width → half-width, case, spaces, underscores and
a trailing unit in brackets are ignored), so “销售额（元）”, “销售额(元)” and “销售额” are one
column. Presets (presets/*.json, one per ad platform) add that platform's own column names and
list the columns it exports that we compute ourselves (CPC, CPM, …) and may ignore.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..calc import AMOUNT_MEASURES, COUNT_MEASURES

PRESET_DIR = Path(__file__).resolve().parent / "presets"

# The order values are written in; a file writes the subset it has.
WRITE_ORDER: tuple[str, ...] = (*COUNT_MEASURES, *AMOUNT_MEASURES, "note")
RATES = {"ctr": ("clicks", "impressions"), "cvr": ("conversions", "clicks")}  # rate: (count, base)
FIELDS = ("date", "channel", *WRITE_ORDER, *RATES)

ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("日期", "时间", "日期时间", "统计日期", "数据日期", "date", "day"),
    "channel": ("渠道", "渠道名称", "投放渠道", "媒体", "平台", "channel", "channel name"),
    "impressions": (
        "曝光量",
        "曝光",
        "曝光次数",
        "曝光数",
        "展现量",
        "展现",
        "展示量",
        "展示数",
        "展示次数",
        "impressions",
        "impression",
        "impr",
    ),
    "clicks": ("点击量", "点击数", "点击", "点击次数", "clicks", "click"),
    "ctr": ("点击率", "ctr", "click-through rate", "click through rate"),
    "conversions": (
        "转化量",
        "转化数",
        "转化",
        "付费用户",
        "付费用户数",
        "成交用户",
        "成交用户数",
        "订单数",
        "订单量",
        "conversions",
        "conversion",
        "paying users",
    ),
    "cvr": ("转化率", "cvr", "conversion rate"),
    "new_users": ("新增用户", "新增用户数", "新用户", "新客", "新客数", "新增会员", "new users", "new user"),
    "revenue": ("销售额", "成交金额", "成交额", "营业额", "gmv", "revenue", "sales"),
    "cost": ("花费", "消耗", "成本", "费用", "消费", "投放费用", "cost", "spend", "spending"),
    "leads": ("线索", "线索量", "线索数", "留资", "留资数", "leads", "lead"),
    "mqls": ("mql", "mqls", "mql数", "营销合格线索", "有效线索", "marketing qualified leads"),
    "opportunities": ("商机", "商机数", "opportunities", "opportunity", "opps"),
    "visits": ("客流量", "客流", "到店人数", "进店人数", "到店客流", "visits", "foot traffic"),
    "negative_comments": ("负面评论", "负面评论数", "负评", "差评", "差评数", "negative comments"),
    "note": ("异常说明", "备注", "说明", "异常", "note", "notes", "remark", "remarks", "comment", "comments"),
}

# Columns an export often carries that we compute ourselves or do not keep: never an error.
IGNORABLE = (
    "序号",
    "#",
    "no",
    "no.",
    "id",
    "cpc",
    "cpm",
    "cpa",
    "cpl",
    "roi",
    "roas",
    "投入产出比",
    "投资回报率",
    "平均点击单价",
    "点击均价",
    "千次展现费用",
    "千次曝光成本",
    "转化成本",
    "单次转化成本",
    "线索成本",
    "目标完成率",
    "mql率",
    "mql rate",
)

TOTAL_LABELS = ("合计", "总计", "汇总", "小计", "total", "totals", "sum", "grand total")

_BRACKETED_UNIT = re.compile(r"\((?:[^()]*)\)$")
_SPACES = re.compile(r"[\s_\-]+")


def normalize(text) -> str:
    """Header text as compared: NFKC, case-folded, without spaces, '_'/'-' or a trailing '(unit)'."""
    value = unicodedata.normalize("NFKC", str(text if text is not None else "")).strip().casefold()
    value = _BRACKETED_UNIT.sub("", value).strip()
    return _SPACES.sub("", value)


def _mark_percent(text) -> bool:
    """“点击率(%)” or “CTR %”: the column's plain numbers are percentages."""
    return "%" in unicodedata.normalize("NFKC", str(text or ""))


ALIAS_INDEX: dict[str, str] = {
    normalize(alias): name for name, aliases in ALIASES.items() for alias in aliases
}
IGNORABLE_INDEX = frozenset(normalize(label) for label in IGNORABLE)
TOTAL_INDEX = frozenset(normalize(label) for label in TOTAL_LABELS)


# --- presets -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preset:
    """How one ad platform names its export's columns, and which channel it usually is."""

    key: str
    names: dict[str, str]
    columns: dict[str, str]  # normalized header -> field
    ignore: frozenset[str]  # normalized headers
    channels: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        language = (get_language() or "en").lower()
        if language.startswith("zh"):
            key = "zh-hant" if language in ("zh-hant", "zh-tw", "zh-hk", "zh-mo") else "zh-hans"
            return self.names.get(key) or self.names.get("en", self.key)
        return self.names.get("en", self.key)


@cache
def presets() -> dict[str, Preset]:
    """Every preset shipped in presets/*.json, by key."""
    result = {}
    for path in sorted(PRESET_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        unknown = set(data["columns"].values()) - set(FIELDS)
        if unknown:  # a broken data file must fail loudly in tests, not misfile a column
            raise ValueError(f"{path.name}: unknown fields {sorted(unknown)}")
        result[data["key"]] = Preset(
            key=data["key"],
            names=data["name"],
            columns={normalize(header): name for header, name in data["columns"].items()},
            ignore=frozenset(normalize(header) for header in data.get("ignore", ())),
            channels=tuple(data.get("channels", ())),
        )
    return result


def preset_get(key: str | None) -> Preset | None:
    if not key:
        return None
    return presets().get(key)


# --- the header of one file ---------------------------------------------------------------------


@dataclass
class Plan:
    """Where each field sits in the file's rows, and how the file's columns read."""

    header_row: int
    width: int
    positions: dict[str, int] = field(default_factory=dict)  # field -> column index
    labels: dict[str, str] = field(default_factory=dict)  # field -> the file's header text
    percent: set[str] = field(default_factory=set)  # rate fields whose header says “%”
    channel_by_id: bool = False  # API rows name channels by id

    def has(self, name: str) -> bool:
        return name in self.positions

    def label(self, name: str) -> str:
        return self.labels.get(name, name)

    @property
    def write_fields(self) -> tuple[str, ...]:
        """The measures (and note) this file gives a value for, in WRITE_ORDER."""
        present = set(self.positions)
        for rate, (count, _base) in RATES.items():
            if rate in present:
                present.add(count)
        return tuple(name for name in WRITE_ORDER if name in present)

    @classmethod
    def for_fields(cls, names: tuple[str, ...], *, channel_by_id: bool = False) -> Plan:
        """A plan for rows that already name their fields (the JSON API)."""
        return cls(
            header_row=0,
            width=len(names),
            positions={name: index for index, name in enumerate(names)},
            labels={name: name for name in names},
            channel_by_id=channel_by_id,
        )


def find_field(label, preset: Preset | None) -> str | None:
    key = normalize(label)
    if preset is not None and key in preset.columns:
        return preset.columns[key]
    return ALIAS_INDEX.get(key)


def is_ignorable(label, preset: Preset | None) -> bool:
    key = normalize(label)
    return key in IGNORABLE_INDEX or (preset is not None and key in preset.ignore)


def looks_like_header(cells, preset: Preset | None) -> bool:
    """A row with a date column: the header (title lines above it are skipped)."""
    return any(find_field(cell, preset) == "date" for cell in cells if cell not in (None, ""))


def build_plan(cells, header_row: int, preset: Preset | None, issues) -> Plan:
    """Map each header cell to a field; unknown and repeated columns are errors on the header row."""
    plan = Plan(header_row=header_row, width=len(cells))
    for index, cell in enumerate(cells):
        label = "" if cell is None else str(cell).strip()
        if not label:
            continue  # an empty header: an unused column (trailing separators, spacer columns)
        name = find_field(label, preset)
        if name is None:
            if not is_ignorable(label, preset):
                issues.add(
                    header_row,
                    label,
                    _("Unknown column “%(column)s”. Rename it to a known header or remove it.")
                    % {"column": label},
                )
            continue
        if name in plan.positions:
            issues.add(
                header_row,
                label,
                _("“%(column)s” is a second column for “%(first)s”; keep one of them.")
                % {"column": label, "first": plan.labels[name]},
            )
            continue
        plan.positions[name] = index
        plan.labels[name] = label
        if name in RATES and _mark_percent(label):
            plan.percent.add(name)
    return plan
