"""The HJ 212-2017 code tables we use, and how pollutant codes map to our parameter keys.

Sources, read against each other (the standard's text is not freely published, so every row below was
confirmed in at least two independent transcriptions of it):
- system codes (ST), table 5 of §6.6.1; command codes (CN), §6.6.5; data flags, §6.6.4;
- pollutant codes, names and units: appendix B, table B.1 (water pollutants).
A pollutant whose code we could not confirm is not mapped: an unmapped code is kept in the frame, never
guessed into a parameter.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from hezhang.monitoring.hj212.frame import Value

SYSTEMS = {
    "21": "地表水质量监测",
    "22": "空气质量监测",
    "23": "声环境质量监测",
    "24": "地下水质量监测",
    "25": "土壤质量监测",
    "26": "海水质量监测",
    "27": "挥发性有机物监测",
    "31": "大气环境污染源",
    "32": "地表水体环境污染源",
    "33": "地下水体环境污染源",
    "34": "海洋环境污染源",
    "35": "土壤环境污染源",
    "36": "声环境污染源",
    "37": "振动环境污染源",
    "38": "放射性环境污染源",
    "39": "工地扬尘污染源",
    "41": "电磁环境污染源",
    "51": "烟气排放过程监控",
    "52": "污水排放过程监控",
    "91": "系统交互",
}
SURFACE_WATER = "21"

COMMANDS = {
    "1011": "提取/上传现场机时间",
    "1012": "设置现场机时间",
    "1013": "现场机时间校准请求",
    "1061": "提取/上传实时数据间隔",
    "1062": "设置实时数据间隔",
    "1063": "提取/上传分钟数据间隔",
    "1064": "设置分钟数据间隔",
    "1072": "设置现场机密码",
    "2011": "取/上传污染物实时数据",
    "2012": "停止察看污染物实时数据",
    "2021": "取/上传设备运行状态数据",
    "2022": "停止察看设备运行状态",
    "2031": "取/上传污染物日历史数据",
    "2041": "取/上传设备运行时间日历史数据",
    "2051": "取/上传污染物分钟数据",
    "2061": "取/上传污染物小时数据",
    "2081": "上传数采仪开机时间",
    "9011": "请求应答",
    "9012": "执行结果",
    "9013": "通知应答",
    "9014": "数据应答",
}
REAL_TIME, MINUTE, HOURLY, DAILY = "2011", "2051", "2061", "2031"

# §6.6.4, "可扩充": a station may send others, which are kept as they come.
DATA_FLAGS = {
    "N": "在线监控（监测）仪器仪表工作正常",
    "F": "在线监控（监测）仪器仪表停运",
    "M": "在线监控（监测）仪器仪表处于维护期间产生的数据",
    "S": "手工输入的设定值",
    "D": "在线监控（监测）仪器仪表故障",
    "C": "在线监控（监测）仪器仪表处于校准状态",
    "T": "在线监控（监测）仪器仪表采样数值超过测量上限",
    "B": "在线监控（监测）仪器仪表与数采仪通讯异常",
}
NORMAL = "N"


@dataclass(frozen=True)
class Pollutant:
    code: str  # as in the frame, e.g. "w21003"
    name: str  # as in table B.1
    parameter: str  # our parameter key (GB 3838-2002 item, or EC/TURB)
    unit: str  # the concentration unit table B.1 gives for the code
    factor: float = 1.0  # multiply a value by this to get it in our parameter's unit


MICROGRAM = 0.001  # μg/L → mg/L: table B.1 gives several metals in μg/L, GB 3838 in mg/L

_TABLE = [
    Pollutant("w01010", "水温", "WT", "℃"),
    Pollutant("w01001", "pH值", "pH", "无量纲"),
    Pollutant("w01009", "溶解氧", "DO", "mg/L"),
    Pollutant("w01019", "高锰酸盐指数", "CODMn", "mg/L"),
    Pollutant("w01018", "化学需氧量", "COD", "mg/L"),
    Pollutant("w01017", "五日生化需氧量", "BOD5", "mg/L"),
    Pollutant("w21003", "氨氮", "NH3N", "mg/L"),
    Pollutant("w21011", "总磷", "TP", "mg/L"),
    Pollutant("w21001", "总氮", "TN", "mg/L"),
    # Table B.1 has two codes for several metals: the older "total" one (with its HJ/T 212-2005 code) and a
    # newer plain one, in different units. The total one is listed first and wins when a frame has both,
    # since GB 3838's methods measure the total.
    Pollutant("w20122", "总铜", "Cu", "mg/L"),
    Pollutant("w20138", "铜", "Cu", "mg/L"),
    Pollutant("w20123", "总锌", "Zn", "mg/L"),
    Pollutant("w20139", "锌", "Zn", "mg/L"),
    Pollutant("w21017", "氟化物", "F", "mg/L"),
    Pollutant("w20128", "总硒", "Se", "μg/L", MICROGRAM),
    Pollutant("w20140", "硒", "Se", "mg/L"),
    Pollutant("w20119", "总砷", "As", "μg/L", MICROGRAM),
    Pollutant("w20141", "砷", "As", "mg/L"),
    Pollutant("w20111", "总汞", "Hg", "μg/L", MICROGRAM),
    Pollutant("w20142", "汞", "Hg", "μg/L", MICROGRAM),
    Pollutant("w20115", "总镉", "Cd", "μg/L", MICROGRAM),
    Pollutant("w20143", "镉", "Cd", "μg/L", MICROGRAM),
    Pollutant("w20117", "六价铬", "Cr6", "μg/L", MICROGRAM),
    Pollutant("w20120", "总铅", "Pb", "μg/L", MICROGRAM),
    Pollutant("w20144", "铅", "Pb", "mg/L"),
    Pollutant("w21016", "氰化物", "CN", "mg/L"),
    Pollutant("w23002", "挥发酚", "VPhenol", "mg/L"),
    Pollutant("w22001", "石油类", "Petroleum", "mg/L"),
    Pollutant("w19002", "阴离子表面活性剂", "LAS", "mg/L"),
    Pollutant("w21019", "硫化物", "Sulfide", "mg/L"),
    Pollutant("w02003", "粪大肠菌群", "FC", "个/L"),
    Pollutant("w01014", "电导率", "EC", "μS/cm"),
    # Not in table B.1: the HJ 525 water-pollutant code, which surface-water stations use for turbidity.
    Pollutant("w01003", "浊度", "TURB", "NTU"),
]
POLLUTANTS: dict[str, Pollutant] = {row.code: row for row in _TABLE}

# The values a station measures; Cou (a cumulative load) has no meaning for a river and is left out.
CONVERTED_FIELDS = frozenset({"Rtd", "Min", "Avg", "Max", "ZsRtd", "ZsMin", "ZsAvg", "ZsMax"})


def code_for(parameter: str) -> str:
    """The code we send for one of our parameters (the first, preferred, row of the table)."""
    for row in _TABLE:
        if row.parameter == parameter:
            return row.code
    raise KeyError(parameter)


def to_parameters(values: Mapping[str, Mapping[str, Value]]) -> dict[str, dict[str, Value]]:
    """Frame values keyed by our parameters and converted to their units; unknown codes are left out.

    {"w20111": {"Avg": 0.05, "Flag": "N"}} → {"Hg": {"Avg": 0.00005, "Flag": "N"}}.
    """
    result: dict[str, dict[str, Value]] = {}
    for row in _TABLE:
        fields = values.get(row.code)
        if fields is None or row.parameter in result:
            continue
        converted: dict[str, Value] = {}
        for name, value in fields.items():
            if name == "Cou":
                continue
            if name in CONVERTED_FIELDS and isinstance(value, float):
                converted[name] = value * row.factor
            else:
                converted[name] = value
        result[row.parameter] = converted
    return result


def to_codes(values: Mapping[str, Mapping[str, Value]]) -> dict[str, dict[str, Value]]:
    """The reverse of to_parameters: each parameter under its preferred code, in that code's unit."""
    result: dict[str, dict[str, Value]] = {}
    for parameter, fields in values.items():
        row = POLLUTANTS[code_for(parameter)]
        result[row.code] = {
            name: value / row.factor if name in CONVERTED_FIELDS and isinstance(value, float) else value
            for name, value in fields.items()
        }
    return result
