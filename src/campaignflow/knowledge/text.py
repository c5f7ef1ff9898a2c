"""Chinese-aware text handling with jieba: search-mode tokens and TF-IDF keywords.

Both the index and every query are segmented by the same function, `tokens`, so a word matches
itself whatever the surrounding text: jieba's search mode emits the long words and their short
parts (中国农业发展银行 → 中国, 农业, 发展, 银行, 农业发展银行), and the HMM guesser of new words is
off because it decides differently depending on the neighbouring characters. English and other
Latin words are lower-cased; tokens without a letter or digit (spaces, punctuation, FTS syntax
such as quotes, `*` or parentheses) are dropped.
"""

from __future__ import annotations

import logging
import re
import threading

import jieba
import jieba.analyse

jieba.setLogLevel(logging.WARNING)

# A query longer than this is cut before segmentation: nobody types 10,000 characters on purpose.
MAX_QUERY_CHARS = 200
MAX_QUERY_TOKENS = 24
KEYWORD_COUNT = 10
_WORD = re.compile(r"\w", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ONLY_DIGITS = re.compile(r"^[\d_.,%]+$")
# Marketing words jieba's general dictionary splits into single characters (抖音 → 抖 音): added
# once, so they are one token in the index and in queries. Changing this list changes tokens:
# run search.rebuild() afterwards so stored entries are segmented the same way.
VOCABULARY = (
    "抖音",
    "小红书",
    "微信",
    "朋友圈",
    "公众号",
    "视频号",
    "企业微信",
    "小程序",
    "天猫",
    "旗舰店",
    "京东",
    "拼多多",
    "B站",
    "微博",
    "知乎",
    "直播间",
    "直播带货",
    "带货",
    "达人",
    "种草",
    "私域",
    "社群",
    "快闪",
    "快闪店",
    "满减",
    "预售",
    "礼盒",
    "联名",
    "新客",
    "老客",
    "复购",
    "复购率",
    "获客",
    "获客成本",
    "客单价",
    "会员日",
    "双十一",
    "双十二",
    "年货节",
    "冷泡",
    "茶饮",
    "新茶",
    "焕新",
    "曝光量",
    "点击率",
    "转化率",
    "投入产出比",
    "客流",
    "客流量",
    "线上线下",
    "地推",
    "试饮",
    "扫码",
    "领券",
    "优惠券",
)
_lock = threading.Lock()
_ready = False


def _initialise() -> None:
    """Load jieba's dictionary once per process (about a second), safely from worker threads."""
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                jieba.initialize()
                for word in VOCABULARY:
                    jieba.add_word(word)
                _ready = True


def clean(text: str) -> str:
    """The text without NUL and other control characters (each becomes a space)."""
    return _CONTROL.sub(" ", text or "")


def tokens(text: str) -> list[str]:
    """Search-mode tokens of the text, lower-cased, in order, punctuation and spaces dropped."""
    _initialise()
    text = _CONTROL.sub(" ", text or "")
    return [
        token.lower()
        for token in (t.strip() for t in jieba.cut_for_search(text, HMM=False))
        if token and _WORD.search(token)
    ]


def index_text(text: str) -> str:
    """The text as the full-text index stores it: its tokens joined by spaces."""
    return " ".join(tokens(text))


def query_tokens(query: str) -> list[str]:
    """A user's query as distinct tokens, at most MAX_QUERY_TOKENS, from its first characters."""
    seen: dict[str, None] = {}
    for token in tokens((query or "")[:MAX_QUERY_CHARS]):
        seen.setdefault(token[:100], None)
        if len(seen) >= MAX_QUERY_TOKENS:
            break
    return list(seen)


def keywords(text: str, count: int = KEYWORD_COUNT) -> list[str]:
    """The text's keywords by jieba's TF-IDF extraction, best first; numbers are not keywords."""
    _initialise()
    text = _CONTROL.sub(" ", text or "")
    result: list[str] = []
    for word in jieba.analyse.extract_tags(text, topK=count * 2):
        word = word.strip().lower()
        if word and _WORD.search(word) and not _ONLY_DIGITS.match(word) and word not in result:
            result.append(word)
        if len(result) == count:
            break
    return result
