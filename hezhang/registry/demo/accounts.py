"""The demo accounts: one per role, all with the documented demo password."""

from __future__ import annotations

from hezhang.accounts.models import User
from hezhang.registry.demo import DEMO_PASSWORD

# username, role in Chinese, role in English
DEMO_ACCOUNTS = (
    ("admin", "系统管理员", "System admin"),
    ("county_office", "县河长办工作人员", "County office staff"),
    ("township_office", "乡镇河长办工作人员", "Township office staff"),
    ("county_chief", "县级河长（县总河长）", "County-level chief (general chief)"),
    ("township_chief", "乡级河长", "Township chief"),
    ("village_chief", "村级河长", "Village chief"),
    ("grid_member", "网格员", "Grid member"),
    ("department_staff", "职能部门人员（县水利局）", "Department staff (water bureau)"),
    ("delegate", "县人大代表", "Delegate (people's congress)"),
)


class DemoConflict(Exception):
    """The database already has users under the demo accounts' names (and no demo county)."""


def check_free() -> None:
    taken = sorted(
        User.objects.filter(username__in=[u for u, _zh, _en in DEMO_ACCOUNTS]).values_list(
            "username", flat=True
        )
    )
    if taken:
        raise DemoConflict(
            f"数据库中已有用户 {', '.join(taken)}，但没有演示县：请用 --reset 清空，或换一个 HEZHANG_DATA_DIR。"
            f" / The database already has users {', '.join(taken)} but no demo county: use --reset or another data directory."
        )


def demo_accounts() -> list[dict]:
    """The demo accounts as they are in the database (whichever seed built them)."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[a[0] for a in DEMO_ACCOUNTS]).select_related("region")
    }
    out = []
    for username, zh, en in DEMO_ACCOUNTS:
        user = users.get(username)
        if user is None:
            continue
        out.append(
            {
                "username": username,
                "password": DEMO_PASSWORD,
                "role": zh,
                "role_en": en,
                "name": user.name,
                "position": user.position,
                "region": user.region.full_name if user.region_id else "",
            }
        )
    return out
