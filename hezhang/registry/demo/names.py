"""Chinese name pools for the demo: people, places, water bodies, companies and roads.

All names are made up from common parts; any likeness to a real place or person is a coincidence of
how ordinary these parts are in the North China Plain.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

# Common surnames, the most frequent repeated so they come up as often as they do in Hebei villages.
SURNAMES = (
    "王王王李李李张张张刘刘赵赵杨杨陈孙周吴郭马高董梁韩冯曹许邢田崔贾宋郑何魏胡朱石侯吕范"
    "程谢苏任袁邓孟齐秦史武康牛杜耿霍翟郝韦温焦段乔闫薛白申"
)
# Characters of given names, in two registers so names sound like people of different generations.
GIVEN_OLDER = "国建志明军海永春立文学德庆振保新金顺凤秀兰桂玉英淑霞华平红"
GIVEN_YOUNGER = "伟磊涛浩宇鹏超静丽敏婷悦晨阳欣雪佳楠杰凯博睿琳瑶颖帅旭航"

# Parts of village names: a surname or a thing, and what the settlement was called when it was founded.
VILLAGE_STEMS = (
    "张李王刘赵杨陈孙周吴郭马高董梁韩冯曹许邢田崔贾宋郑何魏胡朱石侯吕范程谢苏任"
    "柳杨槐榆桑枣梨杏桃松柏苇荷河沙石桥堤店集营屯寨井泉"
)
VILLAGE_SUFFIXES = tuple("庄 庄 庄 村 营 屯 寨 店 集 堡 官庄 辛庄 家庄 家屯 固".split())
VILLAGE_PREFIXES = ("", "", "", "", "东", "西", "南", "北", "前", "后", "大", "小", "上", "下", "中")
COMMUNITY_STEMS = tuple("城关 东关 西关 南关 北关 滨河 文化 建设 胜利 和平 育才 新华 府前 朝阳".split())

# Townships: the county seat is a subdistrict (街道); the others are towns (镇) or townships (乡).
TOWNSHIP_STEMS = tuple(
    (
        "柳林 石桥 马头 王家庄 白塔 沙河营 槐树 北固 龙泉 杏园 红星 东冶 双井 "
        "大营 贾庄 南宫屯 新集 枣园 苏村 高庄"
    ).split()
)

# Rivers: a stem and a kind of channel; the big ones are 河, the small ones ditches (沟) and drains (排干).
RIVER_STEMS = tuple(
    (
        "清水 沙 白马 黑龙 柳 金 洺 留垒 泜 槐 午 七里 牤牛 小漳 老沙 北澧 "
        "南澧 滏西 百泉 顺水 马莲 杨木 红旗 胜利 跃进 东风 新开 老龙 鸭 狼窝 "
        "黄花 石佛 三里 五里 八里 十里 团结 西支 东支 羊角 枣林 苇塘 蛤蟆 小白 "
        "大清 南干 北干 野鸡 卧牛 沙窝"
    ).split()
)
LAKE_NAMES = ("清水泊", "白泽洼", "苇子淀", "莲花湖")
RESERVOIR_NAMES = ("红岭水库", "石门水库", "朱庄水库")

ROADS = tuple("人民路 建设路 胜利街 解放路 文化路 滨河路 育才街 振兴大街 新华路 府前街".split())
INDUSTRIES = tuple("化工 纺织 食品 造纸 皮革 铸造 橡胶制品 建材 农产品加工".split())
COMPANY_STEMS = tuple("恒泰 鑫源 华冀 永盛 润达 金诺 宏远 瑞丰 天成 博润 隆兴 冀丰".split())

CHINESE_NUMERALS = "一二三四五六七八九十"


def numeral(n: int) -> str:
    """1 → 一, 12 → 十二, for names like 第三网格."""
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    if n < 20:
        return "十" + CHINESE_NUMERALS[n - 11]
    tens, ones = divmod(n, 10)
    return CHINESE_NUMERALS[tens - 1] + "十" + (CHINESE_NUMERALS[ones - 1] if ones else "")


def person(rng: random.Random, older: bool = True) -> str:
    """A two- or three-character personal name."""
    pool = GIVEN_OLDER if older else GIVEN_YOUNGER
    given = (
        rng.choice(pool)
        if rng.random() < 0.25
        else rng.choice(pool) + rng.choice(GIVEN_OLDER + GIVEN_YOUNGER)
    )
    return rng.choice(SURNAMES) + given


class UniqueNames:
    """Draws names until one not used before comes up, then numbers them if the pool runs dry."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken: set[str] = set(taken)

    def take(self, rng: random.Random, make, tries: int = 40) -> str:
        for _ in range(tries):
            name = make(rng)
            if name not in self.taken:
                self.taken.add(name)
                return name
        base = make(rng)
        n = 2
        while f"{base}{n}" in self.taken:
            n += 1
        self.taken.add(f"{base}{n}")
        return f"{base}{n}"


def village(rng: random.Random) -> str:
    name = rng.choice(VILLAGE_PREFIXES) + rng.choice(VILLAGE_STEMS) + rng.choice(VILLAGE_SUFFIXES)
    return name if name.endswith("村") else name + "村"


def community(rng: random.Random) -> str:
    return rng.choice(COMMUNITY_STEMS) + "社区"


def river(rng: random.Random, level: int) -> str:
    """A river's name: rivers for the main channels, ditches and drains for the small ones."""
    stem = rng.choice(RIVER_STEMS)
    if level <= 1:
        return stem + "河"
    if level == 2:
        return stem + rng.choice(("河", "河", "沟", "排干"))
    return stem + rng.choice(("沟", "沟", "排干", "小河"))


def short_name(name: str) -> str:
    """张庄村 → 张庄 (but 李村 stays 李村), for the names of bridges, ponds and outfalls."""
    return name[:-1] if name.endswith("村") and len(name) > 3 else name


def company(rng: random.Random, county: str) -> str:
    return f"{county}{rng.choice(COMPANY_STEMS)}{rng.choice(INDUSTRIES)}有限公司"


def phone(rng: random.Random, area: str = "0319") -> str:
    digits = 8 if area == "0311" else 7
    first = rng.choice("2345678")
    return f"{area}-{first}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"


def mobile(rng: random.Random) -> str:
    return (
        rng.choice(("139", "138", "137", "150", "151", "152", "187", "188", "133", "180"))
        + f"{rng.randrange(10**8):08d}"
    )
