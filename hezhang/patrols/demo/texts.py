"""The patrol log's words: what a chief writes after walking the river, and what they note on a finding."""

from __future__ import annotations

import random

# Notes on an uneventful patrol; {r} is the reach's name.
QUIET = (
    "沿{r}巡查一遍，水面清洁，岸坡整洁，未发现问题",
    "巡查{r}，河道畅通，无乱占乱建现象",
    "今日巡河，{r}水质清澈，保洁到位",
    "巡查{r}左右岸，未发现新增排污口",
    "与网格员一同巡河，{r}总体情况良好",
    "巡河途中向沿岸群众宣传河湖保护知识",
    "检查公示牌完好，{r}沿线无垃圾堆放",
    "雨后巡河，{r}水位略有上涨，堤岸稳固",
    "巡查{r}，提醒沿河商户不得向河道倾倒垃圾",
    "上午巡河，{r}岸边有少量落叶，已通知保洁员清理",
)
# What a chief notes on a checklist item they found, by item code.
FOUND = {
    "floating_debris": ("{r}近桥处有少量漂浮垃圾", "水面有塑料袋、饮料瓶等漂浮物"),
    "oil": ("桥下水面有油花，面积不大",),
    "dead_fish": ("河湾处发现几条死鱼",),
    "odour_colour": ("排水渠入河口附近水色发黑，有异味",),
    "bank_garbage": ("岸坡有村民倾倒的生活垃圾", "堤脚堆有秸秆和烂菜叶"),
    "illegal_building": ("岸边新搭建一处简易棚屋",),
    "encroachment": ("滩地有人种植玉米",),
    "sand_mining": ("河床有新挖的砂坑",),
    "illegal_fishing": ("河中有人下地笼网", "发现有人电鱼，已劝离"),
    "outfall_dry_weather": ("雨水排口晴天仍在排水",),
    "new_outfall": ("岸坡发现一根新埋的排水管",),
    "facility": ("护栏有一段松动", "闸门启闭机锈蚀"),
    "signboard": ("公示牌有倾斜，字迹褪色",),
}
# Checklist items found more often than others.
COMMON = ("floating_debris", "bank_garbage", "bank_garbage", "floating_debris", "signboard", "facility")


def quiet_note(rng: random.Random, reach_name: str) -> str:
    return rng.choice(QUIET).format(r=reach_name)


def finding(rng: random.Random, codes: list[str]) -> str | None:
    """A checklist item to answer "found" on, among `codes`, the common ones more often; None when none fits."""
    common = [c for c in COMMON if c in codes]
    if common and rng.random() < 0.7:
        return rng.choice(common)
    rare = [c for c in codes if c in FOUND]
    return rng.choice(rare) if rare else None


def found_note(rng: random.Random, code: str, reach_name: str) -> str:
    return rng.choice(FOUND[code]).format(r=reach_name)
