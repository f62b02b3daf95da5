"""统计分析 pages: one region and period, drill-down to sub-regions, charts, every table to xlsx, printable."""

import io

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View
from openpyxl import Workbook
from openpyxl.styles import Font

from hezhang.parallel import at_once
from hezhang.patrols.rate_views import _choice
from hezhang.statistics.figures import case_figures, patrol_figures, trend


def _figures(request) -> dict:
    context = _choice(request)
    region, start, end = context["region"], context["start"], context["end"]
    # Patrols (themselves in two parts) and cases at once: neither reads what the other does (parallel.py).
    patrols, (cases, over_time) = at_once(
        lambda: patrol_figures(region, start, end),
        lambda: (case_figures(region, start, end), trend(region, start, end)),
    )
    context.update(patrols=patrols, cases=cases, trend=over_time)
    return context


class Statistics(LoginRequiredMixin, View):
    def get(self, request):
        context = _figures(request)
        if request.GET.get("format") == "xlsx":
            return _xlsx(context)
        return render(request, "statistics/overview.html", context)


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(40, max(8, width * 2))


def _xlsx(context: dict) -> HttpResponse:
    book = Workbook()
    book.remove(book.active)
    where = context["region"].name if context["region"] else _("全部辖区")
    period = f"{context['start']} — {context['end']}"
    p, c = context["patrols"], context["cases"]
    _sheet(
        book,
        _("概况"),
        [_("项目"), _("数值")],
        [
            [_("行政区"), where],
            [_("时段"), period],
            [_("巡河次数"), p["count"]],
            [_("有效巡河"), p["valid"]],
            [_("巡河里程（公里）"), p["distance_km"]],
            [_("巡河率"), p["rate"]],
            [_("巡河空白点"), p["blank_spots"]],
            [_("上报问题"), c["count"]],
            [_("办结率"), c["closure"]],
            [_("平均受理用时（小时）"), c["hours_to_accept"]],
            [_("平均办结用时（小时）"), c["hours_to_close"]],
            [_("超期"), c["overdue"]],
            [_("满意率"), c["satisfaction"]],
        ],
    )
    _sheet(
        book,
        _("巡河·下级行政区"),
        [_("排名"), _("行政区"), _("巡河次数"), _("有效巡河"), _("里程（公里）"), _("巡河率")],
        [
            [
                r.values["rank"],
                r.label,
                r.values["count"],
                r.values["valid"],
                r.values["distance_km"],
                r.values["rate"],
            ]
            for r in p["by_region"]
        ],
    )
    _sheet(
        book,
        _("巡河·级别"),
        [_("级别"), _("应巡人数"), _("达标人数"), _("巡河率")],
        [[r.label, r.required, r.met, r.percent] for r in p["by_level"]],
    )
    _sheet(
        book,
        _("问题·下级行政区"),
        [_("行政区"), _("上报"), _("办结"), _("办结率")],
        [[r.label, r.values["count"], r.values["closed"], r.values["closure"]] for r in c["by_region"]],
    )
    _sheet(
        book, _("问题·来源"), [_("来源"), _("件数")], [[r.label, r.values["count"]] for r in c["by_channel"]]
    )
    _sheet(
        book,
        _("问题·类别"),
        [_("类别"), _("件数"), _("办结")],
        [[r.label, r.values["count"], r.values["closed"]] for r in c["by_category"]],
    )
    _sheet(
        book, _("问题·状态"), [_("状态"), _("件数")], [[r.label, r.values["count"]] for r in c["by_state"]]
    )
    _sheet(
        book,
        _("问题·部门"),
        [_("部门"), _("件数"), _("超期")],
        [[r.label, r.values["count"], r.values["overdue"]] for r in c["by_department"]],
    )
    t = context["trend"]
    _sheet(
        book,
        _("趋势"),
        [_("日期"), _("有效巡河"), _("上报问题"), _("办结问题")],
        [list(row) for row in zip(t["labels"], t["patrols"], t["reported"], t["closed"], strict=True)],
    )
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="statistics-{context["start"]}-{context["end"]}.xlsx"'
    )
    return response
