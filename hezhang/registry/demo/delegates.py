"""The demo delegates' links (代表联系河湖): which rivers and lakes the county's deputies and members supervise.

The demo delegate (the `delegate` account) is linked to the main river's reach in the demo township, a river that
crosses townships and a lake or reservoir, and keeps an ended link from the last term; the other county delegates
each take one of the county's bigger rivers, and the demo township's deputy the township's own waters.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from hezhang.accounts.models import User
from hezhang.registry.demo import bulk
from hezhang.registry.models import DelegateLink, Region, WaterBodyKind

if TYPE_CHECKING:
    from hezhang.registry.demo.county import Ctx

D = datetime.date
TERM_START = D(2022, 1, 15)  # the county's people's congress and CPPCC elected
LAST_TERM = (D(2018, 3, 1), D(2022, 1, 14))


def link(ctx: Ctx, county_delegates: list[User], township_delegate: User, township: Region) -> None:
    rows: list[DelegateLink] = []

    def add(delegate, water, region, reach=None, start=TERM_START, end=None, note=""):
        rows.append(
            DelegateLink(
                delegate=delegate,
                water_body=water,
                reach=reach,
                region=region,
                start_date=start,
                end_date=end,
                note=note,
            )
        )

    main = ctx.rivers[0]
    # Rivers that cross townships (managed by the county), then the lakes and reservoirs.
    crossing = [
        w
        for i, w in sorted(ctx.rivers.items())
        if i != 0 and w.kind == WaterBodyKind.RIVER and w.region_id == ctx.county.pk
    ]
    still = [w for w in ctx.surfaces.values() if w.kind in (WaterBodyKind.LAKE, WaterBodyKind.RESERVOIR)]
    main_here = next(
        reach
        for plan, reach in ctx.reaches
        if plan.level == "township" and ctx.townships[plan.cell].pk == township.pk
    )
    demo, *others = county_delegates
    add(demo, main, township, main_here, note="代表联系点：" + township.name)
    if crossing:
        add(demo, crossing[0], ctx.county, note="县人大常委会安排联系")
    if still:
        add(demo, still[0], ctx.county, note="县人大常委会安排联系")
    if len(crossing) > 1:
        add(demo, crossing[-1], ctx.county, start=LAST_TERM[0], end=LAST_TERM[1], note="上届联系，换届后调整")
    for k, delegate in enumerate(others):
        water = crossing[(k + 1) % len(crossing)] if crossing else main
        add(delegate, water, ctx.county, note="县政协安排联系" if "政协" in delegate.position else "")

    # The township's deputy: the main river there and the township's own rivers and ponds.
    own = []
    for plan, _reach in ctx.reaches:
        water = ctx.water(plan)
        if water.region.path.startswith(township.path) and water not in own:
            own.append(water)
    add(township_delegate, main, township, main_here, note="乡镇人大代表联系")
    for water in own[:2]:
        add(township_delegate, water, township, note="乡镇人大代表联系")
    bulk.create(DelegateLink, rows)
