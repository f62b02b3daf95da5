"""The words of every notification: an in-app title and body and a short SMS for each workflow event.

Placeholders name keys of the ``context`` given to ``notify``; the cases workflow passes whichever apply:

==========  ============================================================
``code``    案件编号 (case number)
``title``   事项标题 (what the case or alert is about)
``deadline``办理期限 (a date, or text)
``days``    天数 (days left, or days overdue)
``actor``   操作人 (who assigned, urged, returned… — a name or a User)
``reason``  原因或意见 (why it was returned, escalated, urged…)
``result``  办理结果 (what was done)
``level``   升级到的层级或单位 (e.g. 县级河长办)
``place``   地点或河段 (where an alert is)
``cases``   待办案件 (a chief's open cases, in the weekly report)
==========  ============================================================

A template is a sequence of pieces joined together; a piece is left out when one of its placeholders has no value,
so a missing reason drops "原因：…" instead of leaving it dangling.

SMS texts stay within 70 characters (one message) with the 【河长制】 signature: long titles, reasons and results are
shortened. With a real SMS provider the text must be an approved template: register each event's ``sms`` text there
with its placeholders as variables (阿里云 ``${title}``; 腾讯云 ``{1}``, ``{2}``… in order of appearance) and list
the template codes in ``HEZHANG_SMS_TEMPLATE_CODES`` (see ``providers.py``).

These are message texts stored and sent as written, not interface strings: they are not translated.
"""

import datetime
import string
from dataclasses import dataclass

from django.utils import timezone

SMS_LIMIT = 70
# Free text that may be shortened (longest first) to keep an SMS to one message; codes and dates never are.
SHRINKABLE = ("title", "result", "reason", "place", "level", "actor")


@dataclass(frozen=True)
class EventText:
    label: str
    title: tuple[str, ...]
    body: tuple[str, ...]
    sms: tuple[str, ...]


EVENTS: dict[str, EventText] = {
    "assigned": EventText(
        label="交办",
        title=("新交办：", "{title}"),
        body=("{actor}", "向您交办", "{code}", "「{title}」", "，请于{deadline}前办结", "。"),
        sms=("您有新交办事项", "{code}", "「{title}」", "，请于{deadline}前办结", "。"),
    ),
    "urged": EventText(
        label="催办",
        title=("催办：", "{title}"),
        body=(
            "{actor}",
            "催办",
            "{code}",
            "「{title}」",
            "，办理期限{deadline}",
            "，请尽快办理并反馈。",
            "意见：{reason}。",
        ),
        sms=("{code}", "「{title}」", "被催办", "，期限{deadline}", "，请尽快办理。"),
    ),
    "supervised": EventText(
        label="督办",
        title=("督办：", "{title}"),
        body=(
            "{code}",
            "「{title}」",
            "已列入督办",
            "（{actor}）",
            "，请",
            "于{deadline}前",
            "办结并报送结果。",
            "意见：{reason}。",
        ),
        sms=("{code}", "「{title}」", "已列入督办，请", "于{deadline}前", "办结并报告。"),
    ),
    "deadline_soon": EventText(
        label="即将到期",
        title=("即将到期：", "{title}"),
        body=("{code}", "「{title}」", "将于{deadline}到期", "，还剩{days}天", "，请抓紧办理。"),
        sms=("{code}", "「{title}」", "将于{deadline}到期", "，请抓紧办理。"),
    ),
    "overdue": EventText(
        label="已超期",
        title=("已超期：", "{title}"),
        body=(
            "{code}",
            "「{title}」",
            "已超过办理期限",
            "{deadline}",
            "（超期{days}天）",
            "，请立即办理并说明原因。",
        ),
        sms=("{code}", "「{title}」", "已超期", "{days}天", "，请立即办理。"),
    ),
    "returned": EventText(
        label="退回",
        title=("退回：", "{title}"),
        body=("{actor}", "退回了", "{code}", "「{title}」", "。", "退回原因：{reason}。"),
        sms=("{code}", "「{title}」", "被退回", "：{reason}", "。"),
    ),
    "completed": EventText(
        label="办结待核查",
        title=("待核查：", "{title}"),
        body=("{actor}", "已办结", "{code}", "「{title}」", "，请核查。", "办理结果：{result}。"),
        sms=("{code}", "「{title}」", "已办结，请及时核查。"),
    ),
    "closed": EventText(
        label="结案",
        title=("已结案：", "{title}"),
        body=("您反映的问题", "{code}", "「{title}」", "已办结。", "处理结果：{result}。", "感谢您的监督！"),
        sms=("您反映的问题", "（{code}）", "已办结", "：{result}", "。感谢您的监督！"),
    ),
    "escalated": EventText(
        label="升级",
        title=("升级：", "{title}"),
        body=("{code}", "「{title}」", "已升级", "至{level}", "处理。", "原因：{reason}。"),
        sms=("{code}", "「{title}」", "已升级", "至{level}", "处理，请关注。"),
    ),
    "alert": EventText(
        label="预警",
        title=("预警：", "{place}", "{title}"),
        body=("{place}", "{title}", "。", "{reason}。", "请及时处置。"),
        sms=("预警：", "{place}", "{title}", "，请及时处置。"),
    ),
    # Patrol frequency (patrols/reminders.py): title is the period (2024年5月中旬), result what was done.
    "patrol_due": EventText(
        label="巡河即将到期",
        title=("巡河即将到期：", "{title}"),
        body=("您", "{title}", "的巡河任务将于{deadline}到期", "，{result}", "，请及时巡河。"),
        sms=("您", "{title}", "的巡河任务将于{deadline}到期", "，{result}", "，请及时巡河。"),
    ),
    "patrol_overdue": EventText(
        label="巡河已逾期",
        title=("巡河已逾期：", "{title}"),
        body=("您", "{title}", "的巡河任务已于{deadline}结束", "，{result}", "，未达到巡河频次要求。"),
        sms=("您", "{title}", "的巡河任务已于{deadline}结束", "，{result}", "，未达到要求。"),
    ),
    "patrol_weekly": EventText(
        label="河长周报",
        title=("河长周报：", "{title}"),
        body=("{title}", "：{result}", "；{cases}", "。"),
        sms=("河长周报", "（{title}）", "：{result}", "；{cases}", "。"),
    ),
}

# For an event the workflow names but this table lacks: a plain message still reaches the people concerned.
FALLBACK = EventText(
    label="通知",
    title=("{title}",),
    body=("{code}", "「{title}」", "有新的办理动态，请及时查看。"),
    sms=("{code}", "「{title}」", "有新的办理动态，请及时查看。"),
)


def plain(value) -> str:
    """A context value as message text: dates as dates, people by name, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
            if timezone.is_aware(value)
            else f"{value:%Y-%m-%d %H:%M}"
        )
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    name = getattr(value, "display_name", None)
    if isinstance(name, str):
        return name
    # Sentences end where the template says: a trailing full stop in the value would double it.
    return str(value).strip().rstrip("。；，;,")


def fields(piece: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(piece) if name]


def render(pieces: tuple[str, ...], values: dict[str, str]) -> str:
    return "".join(
        piece.format_map(values) for piece in pieces if all(values.get(name) for name in fields(piece))
    )


def sms_fields(pieces: tuple[str, ...]) -> list[str]:
    """Placeholders of an SMS text in order of first appearance: the provider template's variables."""
    names: list[str] = []
    for piece in pieces:
        names.extend(name for name in fields(piece) if name not in names)
    return names


def render_sms(pieces: tuple[str, ...], values: dict[str, str], signature: str) -> tuple[str, dict[str, str]]:
    """The SMS with its signature, shortened to one message where possible, and the values it finally used."""
    values = {key: " ".join(value.split()) for key, value in values.items()}  # no line breaks in an SMS
    while True:
        text = signature + render(pieces, values)
        overflow = len(text) - SMS_LIMIT
        used = [key for key in SHRINKABLE if key in sms_fields(pieces) and len(values.get(key, "")) > 5]
        if overflow <= 0 or not used:
            return text, values
        key = max(used, key=lambda k: len(values[k]))
        keep = max(4, len(values[key]) - overflow - 1)
        values[key] = values[key][:keep] + "…"
