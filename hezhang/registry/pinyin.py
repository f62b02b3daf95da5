"""Pinyin initials of Chinese names, so staff can type "qsh" to find 清水河."""

from pypinyin import Style, lazy_pinyin


def initials(text: str) -> str:
    if not text:
        return ""
    parts = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return "".join(p[:1] for p in parts if p).lower()[:100]
