#!/usr/bin/env python3
"""Demo department data for `tools/dev demo`.

Writes, under --out (default var/demo-sources in the repository):

  psb/person.db         SQLite, 公安 population register: table czrk (~300 Zhejiang residents)
  amr/enterprise.db     SQLite, 市场监管 enterprise register: table qyjbxx (~150 companies + 2 test rows)
  license/dzzz_*.csv    GBK CSV exports of the e-licence platform (a full export and an increment)
  credit/credit.json    the provincial credit lists (红名单/黑名单/重点关注), served by credit_service.py
  credit/token          a random bearer token for that service (mode 0600; new on every run)
  story.json            the subjects `tools/dev demo` shows, and the rows the hub must quarantine

The sources in config/sources/ read these files. About 3% of each source's rows carry realistic
defects (bad check characters, 2月30日, gender contradicting the ID, …) that the hub quarantines;
story.json lists each with the error code expected.

Everything except the token is deterministic (fixed seed, fixed dates), and a run replaces what an
earlier run wrote. Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import json
import os
import random
import secrets
import sqlite3
import sys
import tempfile

SEED = 20261123
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_OUT = "var/demo-sources"
CST = dt.timezone(dt.timedelta(hours=8))
# The data describes the registers as of this day; no generated date is later.
AS_OF = dt.date(2026, 11, 20)
LICENSE_GXSJ_MAX = dt.date(2026, 11, 14)  # the increment was exported on 15 November
LICENSE_FILES = (("dzzz_20261101.csv", dt.datetime(2026, 11, 1, 18, 30, tzinfo=CST)),
                 ("dzzz_20261115.csv", dt.datetime(2026, 11, 15, 18, 30, tzinfo=CST)))

# ============================================================================ check characters

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def id_check(first17: str) -> str:
    """GB 11643 check character (ISO 7064 MOD 11-2)."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def alnum(c: str) -> int:
    return ord(c) - 48 if c.isdigit() else ord(c) - 55


def org_check(first8: str) -> str:
    """GB 11714 organisation code check character."""
    c = 11 - sum(alnum(ch) * w for ch, w in zip(first8, ORG_WEIGHTS)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def uscc_check(first17: str) -> str:
    """GB 32100 check character (MOD 31)."""
    c = 31 - sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS)) % 31
    return USCC_ALPHABET[0 if c == 31 else c]


def mod37_36(data: str) -> str:
    """ISO 7064 MOD 37,36 check character over 0-9A-Z."""
    p = 36
    for ch in data:
        s = (p + alnum(ch)) % 36 or 36
        p = 2 * s % 37
    c = (37 - p) % 36
    return str(c) if c < 10 else chr(55 + c)


def make_id(division: str, birth: dt.date, seq: int) -> str:
    first17 = f"{division}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check(first17)


def make_uscc(head: str, division: str, org8: str, org_ok: bool = True) -> str:
    oc = org_check(org8)
    if not org_ok:
        oc = "0" if oc != "0" else "1"
    first17 = head + division + org8 + oc
    return first17 + uscc_check(first17)


def license_id(type_code: str, issuer: str, serial: str, version: str = "001") -> str:
    check = mod37_36(type_code + issuer + serial + version)
    return f"1.2.156.3005.2.{type_code}.{issuer}.{serial}.{version}.{check}"


def wrong(c: str, alphabet: str) -> str:
    """A different character of the alphabet: a one-character typo."""
    return alphabet[(alphabet.index(c) + 3) % len(alphabet)]


def self_test() -> None:
    assert id_check("11010519491231002") == "X"
    assert uscc_check("91350100M000100Y4") == "3" and org_check("M000100Y") == "4"
    real = "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0"
    parts = real.split(".")
    assert mod37_36("".join(parts[5:9])) == parts[9]


def stable_rng(*parts: str) -> random.Random:
    """A generator seeded from text (Python's hash() is salted per process; this is not)."""
    digest = hashlib.sha256("|".join((str(SEED),) + parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


# ============================================================================ places and names

ZJ = {  # division: (city, district, weight, area code)
    "330102": ("杭州市", "上城区", 8, "0571"), "330105": ("杭州市", "拱墅区", 8, "0571"),
    "330106": ("杭州市", "西湖区", 10, "0571"), "330108": ("杭州市", "滨江区", 7, "0571"),
    "330109": ("杭州市", "萧山区", 7, "0571"), "330110": ("杭州市", "余杭区", 8, "0571"),
    "330203": ("宁波市", "海曙区", 5, "0574"), "330212": ("宁波市", "鄞州区", 6, "0574"),
    "330302": ("温州市", "鹿城区", 4, "0577"), "330381": ("温州市", "瑞安市", 3, "0577"),
    "330402": ("嘉兴市", "南湖区", 3, "0573"), "330502": ("湖州市", "吴兴区", 3, "0572"),
    "330602": ("绍兴市", "越城区", 3, "0575"), "330681": ("绍兴市", "诸暨市", 2, "0575"),
    "330702": ("金华市", "婺城区", 2, "0579"), "330782": ("金华市", "义乌市", 4, "0579"),
    "330802": ("衢州市", "柯城区", 2, "0570"), "330902": ("舟山市", "定海区", 2, "0580"),
    "331002": ("台州市", "椒江区", 2, "0576"), "331102": ("丽水市", "莲都区", 2, "0578"),
    "331127": ("丽水市", "景宁畲族自治县", 1, "0578"),
}
STREETS = {
    "330102": ["解放路", "延安路", "清泰街", "望江东路"], "330105": ["湖墅南路", "莫干山路", "大关路", "上塘路"],
    "330106": ["文三路", "天目山路", "古墩路", "学院路"], "330108": ["江南大道", "滨盛路", "长河路", "网商路"],
    "330109": ["市心中路", "金城路", "人民路", "建设一路"], "330110": ["文一西路", "五常大道", "良睦路", "龙舟路"],
    "330203": ["中山西路", "解放南路", "药行街"], "330212": ["天童南路", "四明中路", "钱湖北路"],
    "330302": ["人民路", "解放街", "车站大道"], "330381": ["安阳路", "万松路", "罗阳大道"],
    "330402": ["中山东路", "南湖大道", "禾兴南路"], "330502": ["红旗路", "青铜路", "凤凰路"],
    "330602": ["解放北路", "胜利东路", "中兴中路"], "330681": ["暨阳路", "艮塔路", "浣东北路"],
    "330702": ["八一南街", "宾虹路", "李渔路"], "330782": ["稠州北路", "工人北路", "宾王路"],
    "330802": ["新桥街", "荷花中路", "府山路"], "330902": ["解放东路", "环城南路", "人民北路"],
    "331002": ["市府大道", "中山西路", "东海大道"], "331102": ["中山街", "丽阳街", "人民街"],
    "331127": ["人民中路", "复兴西路", "环城东路"],
}
# Birthplaces outside Zhejiang of residents whose household registration moved here.
MIGRANT_BIRTHPLACES = ["341221", "411381", "511321", "430524", "362330", "522422"]

SURNAMES = ("王" * 6 + "陈" * 7 + "张" * 4 + "李" * 4 + "吴" * 3 + "周" * 3 + "徐" * 3 + "林" * 2 + "黄" * 2
            + "朱金刘杨胡沈叶俞方潘郑何钱孙蒋施楼应姚戴章汪毛赵许冯邵傅袁夏鲍顾宋唐韩曹丁蔡")
GIVEN_M = ["伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "辉", "鹏", "华", "飞", "鑫",
           "波", "宇", "浩", "凯", "建国", "志强", "文杰", "海涛", "晨阳", "子轩", "浩然", "宇航", "俊杰",
           "一鸣", "思远", "建华", "国强", "志明", "立新", "振华", "家豪", "嘉诚", "永康", "金根"]
GIVEN_F = ["芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "琳", "颖", "倩", "洁",
           "慧", "萍", "红", "梅", "秀英", "桂英", "丽华", "玉兰", "雨涵", "欣怡", "梓涵", "诗涵", "思琪",
           "佳怡", "雅婷", "婉清", "美玲", "一诺", "子涵", "欣妍", "彩凤", "月娥", "雅琴", "素珍"]
MOBILE_PREFIXES = ["130", "131", "133", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158",
                   "159", "177", "180", "181", "182", "186", "187", "188", "189", "191", "199"]
# Minorities found in Zhejiang: (民族, surnames or full names, birthplace)
MINORITIES = [("畲族", "雷蓝钟", "331127"), ("回族", "马杨丁", "640104"), ("土家族", "向田彭", "430524"),
              ("苗族", "龙杨吴", "522422"), ("满族", "关佟那", "210102"),
              ("蒙古族", ["巴特尔", "其其格", "乌云", "苏和"], "150102"),
              ("维吾尔族", ["阿依古丽·买买提", "艾力·吐尔逊"], "650102")]


def wchoice(rng: random.Random, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for v, w in pairs:
        x -= w
        if x <= 0:
            return v
    return pairs[-1][0]


def rand_date(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


def rand_time(rng: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, rng.randint(8, 19), rng.randint(0, 59), rng.randint(0, 59))


def add_years(d: dt.date, n: int) -> dt.date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 Feb
        return d.replace(year=d.year + n, day=28)


def han_name(rng: random.Random, male: bool, surname: str | None = None) -> str:
    return (surname or rng.choice(SURNAMES)) + rng.choice(GIVEN_M if male else GIVEN_F)


def address(rng: random.Random, division: str, with_province: bool = True) -> str:
    city, district, _, _ = ZJ[division]
    street = rng.choice(STREETS[division])
    n = rng.randint(1, 699)
    if rng.random() < 0.55:
        body = f"{street}{n}号{rng.randint(1, 30)}幢{rng.randint(1, 4)}单元{rng.randint(1, 26)}0{rng.randint(1, 4)}室"
    else:
        body = f"{street}{n}号"
    return ("浙江省" if with_province else "") + city + district + body


def zj_division(rng: random.Random) -> str:
    return wchoice(rng, [(k, v[2]) for k, v in ZJ.items()])


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99999999):08d}"


def fmt_dt(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


# ============================================================================ population (公安)

class Person:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.defect = None  # (column, bad value, expected field, expected code, why)

    @property
    def male(self) -> bool:
        return int(self.id[16]) % 2 == 1

    def row(self) -> dict:
        return {"sfzh": self.id, "xm": self.name, "xb": "1" if self.male else "2",
                "csrq": f"{self.birth:%Y%m%d}", "mz": self.mz, "hjdz": self.hjdz, "hjdqh": self.hjdqh,
                "lxdh": self.lxdh, "gxsj": fmt_dt(self.gxsj), "zxbz": self.zxbz}


class Population:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.people: list[Person] = []
        self.ids: set[str] = set()

    def new_id(self, birthplace: str, birth: dt.date, male: bool) -> str:
        while True:
            seq = self.rng.randint(1, 499) * 2 - (1 if male else 0)
            if seq > 999:
                continue
            pid = make_id(birthplace, birth, seq)
            if pid not in self.ids:
                self.ids.add(pid)
                return pid

    def add(self, name: str, male: bool, birth: dt.date, domicile: str, birthplace: str | None = None,
            mz: str = "汉族", zxbz: str = "0", gxsj: dt.datetime | None = None, story: str | None = None) -> Person:
        rng = self.rng
        pid = self.new_id(birthplace or domicile, birth, male)
        r = rng.random()
        if r < 0.80:
            phone = mobile(rng)
        elif r < 0.88:
            phone = f"{ZJ[domicile][3]}-8{rng.randint(0, 9999999):07d}"
        else:
            phone = ""
        p = Person(id=pid, name=name, birth=birth, mz=mz, hjdz=address(rng, domicile), hjdqh=domicile, lxdh=phone,
                   gxsj=gxsj or rand_time(rng, rand_date(rng, dt.date(2025, 12, 1), AS_OF)), zxbz=zxbz, story=story)
        self.people.append(p)
        return p

    def add_random(self) -> Person:
        rng = self.rng
        male = rng.random() < 0.5
        birth = rand_date(rng, dt.date(1940, 1, 1), dt.date(2008, 12, 31))
        domicile = zj_division(rng)
        kind = rng.random()
        if kind < 0.05:
            mz, names, birthplace = rng.choice(MINORITIES)
            if isinstance(names, list):
                name = rng.choice(names)
                male = name in ("巴特尔", "苏和", "艾力·吐尔逊")
            else:
                name = han_name(rng, male, rng.choice(names))
            if mz == "畲族":
                domicile = birthplace
        elif kind < 0.15:
            mz, birthplace, name = "汉族", rng.choice(MIGRANT_BIRTHPLACES), han_name(rng, male)
        else:
            mz, birthplace, name = "汉族", (domicile if rng.random() < 0.8 else zj_division(rng)), han_name(rng, male)
        return self.add(name, male, birth, domicile, birthplace, mz)

    def adults(self, min_age: int = 22, clean: bool = True) -> list[Person]:
        cutoff = add_years(AS_OF, -min_age)
        return [p for p in self.people
                if p.birth <= cutoff and p.zxbz == "0" and (not clean or (p.defect is None and p.story is None))]


def make_population(rng: random.Random) -> tuple[Population, dict]:
    pop = Population(rng)
    s = {}
    # The story's people (their role is in story.json).
    s["person_ok"] = pop.add("林晓燕", False, dt.date(1994, 3, 18), "330106", "330106",
                             gxsj=dt.datetime(2026, 3, 2, 10, 15, 0), story="person_ok")
    s["spouse_ok"] = pop.add("陈浩", True, dt.date(1992, 7, 9), "330106", "330102",
                             gxsj=dt.datetime(2026, 3, 2, 10, 16, 41), story="spouse_ok")
    s["person_newlywed"] = pop.add("王佳怡", False, dt.date(1998, 12, 1), "330108", "330108",
                                   gxsj=dt.datetime(2026, 10, 9, 9, 3, 12), story="person_newlywed")
    s["person_blacklisted"] = pop.add("郑国强", True, dt.date(1979, 10, 2), "330302", "330302",
                                      gxsj=dt.datetime(2026, 5, 20, 14, 2, 7), story="person_blacklisted")
    s["person_cancelled"] = pop.add("何桂英", False, dt.date(1938, 5, 11), "330105", "330105", zxbz="1",
                                    gxsj=dt.datetime(2026, 11, 3, 16, 40, 0), story="person_cancelled")
    while len(pop.people) < 300:
        pop.add_random()
    # A few more cancelled registrations (deaths, emigration): withdrawn, not quarantined.
    for p in rng.sample(pop.adults(70), 3):
        p.zxbz = "1"
    # Defects, about 3%: one-character typos in the ID, 2月30日, gender contradicting the ID.
    victims = rng.sample(pop.adults(18), 9)
    for p in victims[:3]:
        bad = p.id[:17] + wrong(p.id[17], "0123456789X")
        p.defect = ("sfzh", bad, "id_number", "bad_checksum", "身份证号校验位错误（录入时末位输错）")
    for p in victims[3:6]:
        p.defect = ("csrq", f"{p.birth.year}0230", "birth_date", "bad_date", "出生日期为 2 月 30 日，不存在")
    for p in victims[6:9]:
        p.defect = ("xb", "2" if p.male else "1", "gender", "cross_field", "性别与身份证号第 17 位（奇男偶女）矛盾")
    # One bad phone number: a warning, the person is kept.
    warn = rng.choice([p for p in pop.adults(18) if p.lxdh])
    warn.lxdh = warn.lxdh[:-1] if len(warn.lxdh) == 11 else warn.lxdh + "9"
    warn.warning = True
    return pop, s


def population_rows(pop: Population) -> list[dict]:
    rows = []
    for p in pop.people:
        r = p.row()
        if p.defect:
            r[p.defect[0]] = p.defect[1]
        rows.append(r)
    return rows


# ============================================================================ legal entities (市场监管)

INDUSTRIES = [  # (名称行业, 经营范围, food, weight)
    ("餐饮管理", "餐饮服务；餐饮管理；食品销售（仅销售预包装食品）；外卖递送服务", True, 8),
    ("食品", "食品销售；食品互联网销售；农副产品销售；食用农产品零售", True, 6),
    ("科技", "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发；信息系统集成服务", False, 12),
    ("网络科技", "网络技术服务；互联网销售（除销售需要许可的商品）；软件开发；广告设计、代理", False, 8),
    ("贸易", "货物进出口；技术进出口；日用百货销售；五金产品批发；服装服饰批发", False, 10),
    ("建材", "建筑材料销售；轻质建筑材料销售；建筑装饰材料销售；五金产品零售", False, 5),
    ("服饰", "服装制造；服装服饰批发；服装服饰零售；针纺织品销售", False, 5),
    ("纺织", "面料纺织加工；针纺织品及原料销售；家用纺织制成品制造", False, 4),
    ("物流", "普通货物仓储服务（不含危险化学品等需许可审批的项目）；国内货物运输代理；道路货物运输（不含危险货物）", False, 4),
    ("电子商务", "互联网销售（除销售需要许可的商品）；电子产品销售；日用品销售", False, 6),
    ("建筑工程", "建设工程施工；住宅室内装饰装修；建筑劳务分包", False, 4),
    ("文化传媒", "组织文化艺术交流活动；广告设计、代理；广告制作；会议及展览服务", False, 4),
    ("汽车服务", "机动车修理和维护；汽车零配件零售；洗车服务", False, 3),
]
SHOPS = [("小吃店", "小餐饮；食品销售（仅销售预包装食品）", True), ("面馆", "小餐饮", True),
         ("便利店", "食品销售；日用百货销售；烟草制品零售", True), ("水果店", "食用农产品零售；食品销售", True),
         ("理发店", "理发服务；生活美容服务", False), ("五金店", "五金产品零售；日用杂品销售", False),
         ("服装店", "服装服饰零售；鞋帽零售", False), ("家电维修部", "日用电器修理；家用电器销售", False)]
BRANDS = ["晨光", "海星", "鑫达", "恒信", "华越", "博远", "金诚", "瑞丰", "新禾", "万象", "东升", "嘉禾", "云栖",
          "之江", "钱塘", "明远", "启航", "融创", "天成", "荣华", "泰和", "永兴", "睿思", "凯悦", "正大", "众信",
          "宏图", "朗月", "汇通", "锦程", "青禾", "西子", "越秀", "诚泰", "蓝海", "合力", "创源", "弘毅", "德润",
          "安达", "佳品", "聚鑫", "同创", "亿联", "九州", "汇丰", "百川", "优选", "长青", "匠心"]
CAPITALS = ["10万元", "30万元", "50万元", "100万元", "100万元", "200万元", "300万元", "500万元", "500万元",
            "1000万元", "3000万元", "5,000,000", "500万人民币", "人民币100万元"]


class Company:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.defect = None

    def row(self) -> dict:
        return {"tyshxydm": self.uscc, "qymc": self.name, "qylx": self.qylx, "fddbr": self.rep.name,
                "fddbrsfzh": self.rep.id, "zczb": self.zczb, "clrq": f"{self.clrq:%Y-%m-%d}", "jyfw": self.jyfw,
                "zs": self.zs, "zsxzqh": self.zsxzqh, "djzt": self.djzt, "djjg": self.djjg,
                "gxsj": fmt_dt(self.gxsj)}


class Registry:
    def __init__(self, rng: random.Random, pop: Population):
        self.rng, self.pop = rng, pop
        self.companies: list[Company] = []
        self.usccs: set[str] = set()
        self.names: set[str] = set()

    def new_uscc(self, head: str, division: str, modern: bool, org_ok: bool = True) -> str:
        rng = self.rng
        while True:
            if modern:
                org8 = "MA" + "".join(rng.choice(USCC_ALPHABET) for _ in range(6))
            else:
                org8 = f"{rng.randint(10000000, 79999999)}"
            code = make_uscc(head, division, org8, org_ok)
            if code not in self.usccs:
                self.usccs.add(code)
                return code

    def add(self, name: str, industry: tuple, rep: Person, division: str, clrq: dt.date, djzt: str = "存续",
            qylx: str | None = None, zczb: str | None = None, gxsj: dt.datetime | None = None,
            story: str | None = None, org_ok: bool = True) -> Company:
        rng = self.rng
        individual = qylx == "个体工商户"
        uscc = self.new_uscc("92" if individual else "91", division, clrq.year >= 2015, org_ok)
        city, district, _, _ = ZJ[division]
        if gxsj is None:
            gxsj = rand_time(rng, rand_date(rng, max(clrq, dt.date(2025, 6, 1)), AS_OF))
        c = Company(uscc=uscc, name=name, qylx=qylx or wchoice(rng, [
            ("有限责任公司(自然人独资)", 40), ("有限责任公司(自然人投资或控股)", 45), ("股份有限公司(非上市、自然人投资或控股)", 5),
            ("个人独资企业", 5), ("有限合伙企业", 5)]), rep=rep, zczb="" if individual else (zczb or rng.choice(CAPITALS)),
            clrq=clrq, jyfw=industry[1], food=industry[2], zs=address(rng, division, with_province=rng.random() < 0.5),
            zsxzqh=division if rng.random() < 0.9 else division + "000000", djzt=djzt,
            djjg=f"{city}{district}市场监督管理局", gxsj=gxsj, story=story, division=division)
        if c.qylx.startswith("股份"):
            c.zczb = rng.choice(["5000万元", "8000万元", "1.2亿元"])
        self.companies.append(c)
        self.names.add(name)
        return c

    def add_random(self) -> Company:
        rng = self.rng
        division = zj_division(rng)
        city, district, _, _ = ZJ[division]
        rep = rng.choice(self.pop.adults(23))
        clrq = rand_date(rng, dt.date(2003, 1, 1), dt.date(2026, 10, 31))
        djzt = wchoice(rng, [("存续", 82), ("在业", 6), ("吊销", 5), ("吊销，未注销", 1), ("注销", 6)])
        if rng.random() < 0.09:
            shop = rng.choice(SHOPS)
            brand = rep.name[0] + "记" if rng.random() < 0.5 else rng.choice(BRANDS)
            name = f"{city}{district}{brand}{shop[0]}"
            industry = (shop[0], shop[1], shop[2])
            qylx = "个体工商户"
        else:
            industry = wchoice(rng, [(i, i[3]) for i in INDUSTRIES])
            brand = rng.choice(BRANDS)
            prefix = "浙江" if rng.random() < 0.12 else city[:-1]
            name = f"{prefix}{brand}{industry[0]}有限公司"
            if rng.random() < 0.08:
                name = f"{prefix}{brand}{industry[0]}有限公司{district}分公司"
            qylx = None
        if name in self.names:
            return None
        return self.add(name, industry, rep, division, clrq, djzt, qylx)


def make_registry(rng: random.Random, pop: Population, sp: dict) -> tuple[Registry, dict]:
    reg = Registry(rng, pop)
    food = INDUSTRIES[0]
    s = {}
    s["company_ok"] = reg.add("杭州晓燕餐饮管理有限公司", food, sp["person_ok"], "330106", dt.date(2026, 9, 16),
                              qylx="有限责任公司(自然人独资)", zczb="50万元",
                              gxsj=dt.datetime(2026, 9, 16, 15, 20, 31), story="company_ok")
    s["company_blacklisted"] = reg.add("温州鑫达建材有限公司", INDUSTRIES[5], rng.choice(pop.adults(30)), "330302",
                                       dt.date(2014, 6, 23), zczb="500万元",
                                       gxsj=dt.datetime(2026, 4, 16, 9, 12, 5), story="company_blacklisted")
    s["company_revoked"] = reg.add("宁波海润贸易有限公司", INDUSTRIES[4], rng.choice(pop.adults(30)), "330203",
                                   dt.date(2016, 3, 8), djzt="吊销", zczb="100万元",
                                   gxsj=dt.datetime(2026, 11, 12, 10, 30, 0), story="company_revoked")
    s["company_credit_repaired"] = reg.add("绍兴恒信纺织有限公司", INDUSTRIES[7], rng.choice(pop.adults(30)), "330602",
                                           dt.date(2011, 11, 2), zczb="1000万元",
                                           gxsj=dt.datetime(2026, 8, 30, 11, 0, 0), story="company_credit_repaired")
    while len(reg.companies) < 150:
        reg.add_random()
    plain = [c for c in reg.companies if c.story is None]
    # Recent activity, which lands in the e-licence platform's 15 November increment: companies
    # registered in early November, and licences revoked or cancelled since 1 November.
    for c in rng.sample([c for c in plain if c.djzt in ("存续", "在业")], 4):
        c.clrq = rand_date(rng, dt.date(2026, 11, 2), dt.date(2026, 11, 13))
        c.gxsj = rand_time(rng, c.clrq)
    for c in [c for c in plain if c.djzt not in ("存续", "在业")][:5]:
        c.gxsj = rand_time(rng, rand_date(rng, dt.date(2026, 11, 2), dt.date(2026, 11, 13)))
        c.status_changed = True
    victims = rng.sample(plain, 6)
    for c in victims[:2]:
        c.defect = ("tyshxydm", c.uscc[:17] + wrong(c.uscc[17], USCC_ALPHABET), "uscc", "bad_checksum",
                    "统一社会信用代码校验位错误")
    c = victims[2]
    c.defect = ("fddbrsfzh", c.rep.id[:17] + wrong(c.rep.id[17], "0123456789X"), "legal_representative_id",
                "bad_checksum", "法定代表人身份证号校验位错误")
    c = victims[3]
    c.defect = ("zczb", "100万美元", "registered_capital", "bad_number", "注册资本以外币登记，须折算为人民币")
    c = victims[4]
    c.defect = ("clrq", "2019-02-29", "established_on", "bad_date", "成立日期 2019-02-29 不存在（2019 年非闰年）")
    # A code whose organisation-code part (positions 9-17) fails GB 11714 although the final check
    # holds: a warning (org_code_check: warn), the company is kept.
    c = victims[5]
    reg.usccs.discard(c.uscc)
    c.uscc = reg.new_uscc("91", c.division, c.clrq.year >= 2015, org_ok=False)
    c.warning = True
    return reg, s


TEST_ROWS = [  # left in the production table by an integration test; the source's query skips them
    {"tyshxydm": "91330000TEST00001X", "qymc": "测试企业（请勿删除）", "qylx": "有限责任公司(自然人独资)",
     "fddbr": "测试", "fddbrsfzh": "330100199001011234", "zczb": "1万元", "clrq": "2020-01-01",
     "jyfw": "接口联调测试", "zs": "测试地址", "zsxzqh": "330100", "djzt": "存续", "djjg": "测试",
     "gxsj": "2026-11-18 09:00:00"},
    {"tyshxydm": "000000000000000000", "qymc": "测试数据-电子证照联调", "qylx": "测试", "fddbr": "张三",
     "fddbrsfzh": "", "zczb": "0", "clrq": "2099-12-31", "jyfw": "测试", "zs": "", "zsxzqh": "", "djzt": "测试",
     "djjg": "", "gxsj": "2026-11-18 09:00:01"},
]


def registry_rows(reg: Registry) -> list[dict]:
    rows = []
    for c in reg.companies:
        r = c.row()
        if c.defect:
            r[c.defect[0]] = c.defect[1]
        rows.append(r)
    return rows + TEST_ROWS


# ============================================================================ e-licences (电子证照)

def gov_uscc(name: str, division: str, head: str = "11") -> str:
    """A stable, valid credit code for a government body or public institution, derived from its name."""
    r = stable_rng("issuer", name)
    return make_uscc(head, division, f"{r.randint(0, 99999999):08d}")


# Licence types: the type code is the defining ministry's credit code plus a 3-digit number, as on
# the provincial platform (e.g. 11100000000013338W009).
MINISTRIES = {"市场监管总局": gov_uscc("国家市场监督管理总局", "100000"), "民政部": gov_uscc("中华人民共和国民政部", "100000"),
              "卫健委": gov_uscc("国家卫生健康委员会", "100000"), "公安部": gov_uscc("中华人民共和国公安部", "100000")}
LICENSE_TYPES = {
    "营业执照": MINISTRIES["市场监管总局"] + "001",
    "食品经营许可证": MINISTRIES["市场监管总局"] + "007",
    "结婚证": MINISTRIES["民政部"] + "003",
    "出生医学证明": MINISTRIES["卫健委"] + "002",
    "机动车驾驶证": MINISTRIES["公安部"] + "005",
}
HOSPITALS = {"330106": "浙江大学医学院附属妇产科医院", "330203": "宁波市妇女儿童医院", "330302": "温州医科大学附属第二医院",
             "330782": "义乌市妇幼保健院", "330108": "杭州市妇产科医院"}


class License:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.defect = None

    def row(self, slash_dates: bool) -> dict:
        def d(x):
            if x is None:
                return ""
            if isinstance(x, str):
                return x
            return f"{x.year}/{x.month}/{x.day}" if slash_dates else f"{x:%Y-%m-%d}"

        gxsj = self.gxsj
        return {"zzbs": self.zzbs, "zzlxdm": LICENSE_TYPES[self.zzmc], "zzmc": self.zzmc, "czztmc": self.holder_name,
                "czztdm": self.holder_id, "fzjgmc": self.issuer, "fzjgdm": self.issuer_uscc, "fzrq": d(self.fzrq),
                "yxqq": d(self.yxqq), "yxqz": d(self.yxqz), "zzzt": self.zzzt,
                "gxsj": (f"{gxsj.year}/{gxsj.month}/{gxsj.day} {gxsj:%H:%M:%S}" if slash_dates else fmt_dt(gxsj))}


class LicensePlatform:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.licenses: list[License] = []
        self.serials: set[str] = set()
        self.by_day: dict[dt.date, int] = {}

    def add(self, zzmc: str, holder_name: str, holder_id: str, issuer: str, issuer_division: str, fzrq: dt.date,
            yxqq: dt.date | None, yxqz, zzzt: str = "有效", gxsj: dt.datetime | None = None, head: str = "11",
            story: str | None = None) -> License:
        n = self.by_day.get(fzrq, 0) + 1
        self.by_day[fzrq] = n
        serial = f"{issuer_division}{fzrq:%Y%m%d}{n:04d}"
        issuer_uscc = gov_uscc(issuer, issuer_division, head)
        zzbs = license_id(LICENSE_TYPES[zzmc], issuer_uscc, serial)
        assert zzbs not in self.serials
        self.serials.add(zzbs)
        if gxsj is None:
            gxsj = rand_time(self.rng, min(fzrq + dt.timedelta(days=self.rng.randint(0, 3)), LICENSE_GXSJ_MAX))
        lic = License(zzbs=zzbs, zzmc=zzmc, holder_name=holder_name, holder_id=holder_id, issuer=issuer,
                      issuer_uscc=issuer_uscc, fzrq=fzrq, yxqq=yxqq, yxqz=yxqz, zzzt=zzzt, gxsj=gxsj, story=story)
        lic.update = None  # (new status, when): the licence changes in the 15 November increment
        self.licenses.append(lic)
        return lic


def make_licenses(rng: random.Random, pop: Population, reg: Registry, sp: dict, sc: dict):
    plat = LicensePlatform(rng)
    s = {}
    # 营业执照 for every company; the platform holds the correct code even where the AMR table has a typo.
    for c in reg.companies:
        fzrq = c.clrq if rng.random() < 0.6 or c.clrq > dt.date(2024, 1, 1) else rand_date(rng, c.clrq, dt.date(2026, 6, 30))
        yxqz = "长期" if rng.random() < 0.85 or c.qylx == "个体工商户" or c.clrq < dt.date(2008, 1, 1) else add_years(c.clrq, 20) - dt.timedelta(days=1)
        zzzt = {"存续": "有效", "在业": "有效", "吊销": "吊销", "吊销，未注销": "吊销", "注销": "注销"}[c.djzt]
        gxsj, update = None, None
        if c.story == "company_revoked" or getattr(c, "status_changed", False):
            # valid in the 1 November export, revoked or cancelled in the 15 November increment
            update = (zzzt, c.gxsj)
            zzzt, gxsj = "有效", rand_time(rng, rand_date(rng, fzrq, dt.date(2026, 6, 30)))
        lic = plat.add("营业执照", c.name, c.uscc, c.djjg, c.division, fzrq, c.clrq, yxqz, zzzt, gxsj=gxsj,
                       story="license_of_" + c.story if c.story else None)
        lic.update = update
        if c.story == "company_revoked":
            s["license_revoked_update"] = lic
    # 食品经营许可证 for food businesses (five years; some have expired). company_ok is applying for
    # its first one through the food-business-license matter, so it has none yet.
    for c in reg.companies:
        if not c.food or c.story or c.djzt == "注销" or c.clrq > dt.date(2026, 9, 1):
            continue
        fzrq = rand_date(rng, max(c.clrq, dt.date(2016, 1, 1)) + dt.timedelta(days=20), dt.date(2026, 10, 20))
        plat.add("食品经营许可证", c.name, c.uscc, c.djjg, c.division, fzrq, fzrq,
                 add_years(fzrq, 5) - dt.timedelta(days=1), "吊销" if c.djzt.startswith("吊销") else "有效")
    # 结婚证: one per spouse. The story's couple married in 2021; the newlywed in October 2026.
    def marriage(a: Person, b: Person, day: dt.date, gxsj=None, story=None):
        division = a.hjdqh if a.hjdqh in ZJ else b.hjdqh
        city, district, _, _ = ZJ[division]
        office = f"{city}{district}民政局"
        out = []
        for p in (a, b):
            out.append(plat.add("结婚证", p.name, p.id, office, division, day, day, "长期", gxsj=gxsj,
                                story=story if p is a else None))
        return out

    ok = sp["person_ok"]
    s["marriage_ok"] = marriage(ok, sp["spouse_ok"], dt.date(2021, 5, 20), story="marriage_ok")[0]
    husband = rng.choice([p for p in pop.adults(25) if p.male and dt.date(1993, 1, 1) <= p.birth <= dt.date(2000, 12, 31)])
    s["marriage_newlywed"] = marriage(sp["person_newlywed"], husband, dt.date(2026, 10, 2),
                                      gxsj=dt.datetime(2026, 11, 4, 9, 31, 0))[0]
    women = [p for p in pop.adults(24) if not p.male and p.birth > dt.date(1970, 1, 1)]
    men = [p for p in pop.adults(24) if p.male and p.birth > dt.date(1966, 1, 1) and p is not husband]
    mothers = []
    for w, m in zip(rng.sample(women, 13), rng.sample(men, 13)):
        earliest = max(add_years(w.birth, 22), add_years(m.birth, 22), dt.date(2003, 1, 1))
        if earliest >= dt.date(2026, 9, 1):
            continue
        day = rand_date(rng, earliest, dt.date(2026, 9, 30))
        if len(mothers) >= 10:  # the last ones married in November: in the increment
            day = rand_date(rng, dt.date(2026, 11, 2), dt.date(2026, 11, 13))
        marriage(w, m, day)
        mothers.append((w, day))
    # 出生医学证明, indexed on the platform under the mother's ID (the newborn has none yet).
    for w, married in mothers[:8]:
        born = rand_date(rng, married + dt.timedelta(days=300), max(married + dt.timedelta(days=301), dt.date(2026, 10, 15)))
        if born > LICENSE_GXSJ_MAX:
            continue
        division = w.hjdqh if w.hjdqh in HOSPITALS else rng.choice(sorted(HOSPITALS))
        plat.add("出生医学证明", w.name, w.id, HOSPITALS[division], division, born, born, "长期", head="12")
    s["birth_ok"] = plat.add("出生医学证明", ok.name, ok.id, HOSPITALS["330106"], "330106", dt.date(2026, 11, 8),
                             dt.date(2026, 11, 8), "长期", gxsj=dt.datetime(2026, 11, 9, 15, 2, 11), head="12",
                             story="birth_ok")
    # 机动车驾驶证: six years, then ten, then 长期; some expired.
    for i, p in enumerate(rng.sample(pop.adults(20), 40)):
        city = ZJ[p.hjdqh][0]
        fzrq = rand_date(rng, max(add_years(p.birth, 18), dt.date(2008, 1, 1)), dt.date(2026, 10, 31))
        if i < 8:
            fzrq = rand_date(rng, dt.date(2026, 11, 2), dt.date(2026, 11, 13))
        yxqz = wchoice(rng, [(add_years(fzrq, 6), 45), (add_years(fzrq, 10), 40), ("长期", 15)])
        plat.add("机动车驾驶证", p.name, p.id, f"{city}公安局交通警察支队", p.hjdqh[:4] + "00", fzrq, fzrq, yxqz)
    return plat, s


def license_defects(rng: random.Random, plat: LicensePlatform) -> None:
    plain = [lic for lic in plat.licenses if lic.story is None and lic.gxsj < dt.datetime(2026, 11, 1)
             and lic.zzzt == "有效" and not lic.update]
    victims = rng.sample(plain, 6)
    for lic in victims[:2]:
        lic.defect = ("zzbs", lic.zzbs[:-1] + wrong(lic.zzbs[-1], "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                      "license_id", "bad_checksum", "证照标识校验位错误（MOD 37,36）")
    lic = victims[2]
    lic.defect = ("yxqz", add_years(lic.yxqq, -1), "valid_to", "cross_field", "有效期止早于有效期起")
    lic = victims[3]
    lic.defect = ("fzrq", "2023-02-29", "issued_on", "bad_date", "发证日期 2023-02-29 不存在（2023 年非闰年）")
    victims[4].defect = ("zzzt", "待审核", "status", "not_in_code_list", "证照状态“待审核”不在代码表中")
    victims[5].defect = ("czztmc", "", "holder_name", "missing", "持证主体名称为空")
    lic = rng.choice([x for x in plain if x.defect is None and x.zzmc in ("结婚证", "机动车驾驶证")])
    lic.defect = ("czztdm", lic.holder_id[:17] + wrong(lic.holder_id[17], "0123456789X"), "holder_id",
                  "bad_checksum", "持证人身份证号校验位错误")


def license_files(plat: LicensePlatform) -> dict[str, list[dict]]:
    """The 1 November full export and the 15 November increment (rows changed since 1 November)."""
    first, second = [], []
    cut = dt.datetime(2026, 11, 1)
    for lic in plat.licenses:
        target = first if lic.gxsj < cut else second
        target.append((lic, False))
        if getattr(lic, "update", None):
            # The increment carries the licence again with its new status (e.g. company_revoked's).
            later = License(**{k: v for k, v in lic.__dict__.items() if k not in ("defect", "update")})
            later.zzzt, later.gxsj = lic.update
            second.append((later, True))
    out = {}
    for (name, _), rows in zip(LICENSE_FILES, (first, second)):
        rows.sort(key=lambda t: (t[0].gxsj, t[0].zzbs))
        lines = []
        for lic, _ in rows:
            r = lic.row(slash_dates=name.endswith("15.csv"))
            if lic.defect:
                value = lic.defect[1]
                if isinstance(value, dt.date):
                    value = f"{value:%Y-%m-%d}"
                r[lic.defect[0]] = value
            lines.append(r)
        out[name] = lines
    return out


# ============================================================================ credit lists (信用)

def make_credit(rng: random.Random, pop: Population, reg: Registry, sp: dict, sc: dict):
    entries = []
    n = [0]

    def add(subject_name, subject_id, person, mdlx, lrsy, jccs, rdbm, rdwsh, lrrq, yxqz, zt="有效", gxsj=None,
            story=None):
        n[0] += 1
        e = {"id": f"ZJXY{lrrq:%Y}{n[0]:06d}", "ztmc": subject_name, "ztdm": subject_id,
             "ztlx": "自然人" if person else "法人和其他组织", "mdlx": mdlx, "lrsy": lrsy, "jccs": jccs, "rdbm": rdbm,
             "rdwsh": rdwsh, "lrrq": f"{lrrq:%Y-%m-%d}",
             "yxqz": yxqz if isinstance(yxqz, str) else f"{yxqz:%Y-%m-%d}", "zt": zt,
             "gxsj": fmt_dt(gxsj or rand_time(rng, min(lrrq + dt.timedelta(days=rng.randint(0, 20)), AS_OF)))}
        entries.append({"row": e, "defect": None, "story": story})
        return entries[-1]

    def court(division):
        city, district, _, _ = ZJ[division]
        return f"{district}人民法院" if district.endswith(("市", "县")) else f"{city}{district}人民法院"

    def court_case(division, year):
        return f"（{year}）浙{division[2:4]}{division[4:6]}执{rng.randint(100, 9999)}号"

    black_measures = "限制高消费；限制参与政府采购和招标投标；限制担任法定代表人、高级管理人员"
    red_measures = "行政审批“绿色通道”、容缺受理；减少日常检查频次；优先安排财政性资金扶持"
    watch_measures = "列为重点监管对象，提高“双随机”抽查比例和频次"

    # The story's entries.
    cb = sc["company_blacklisted"]
    s = {}
    s["credit_company_blacklisted"] = add(cb.name, cb.uscc, False, "黑名单", "有履行能力而拒不履行生效法律文书确定的义务（失信被执行人）",
                                          black_measures, "温州市鹿城区人民法院", court_case("330302", 2026),
                                          dt.date(2026, 4, 15), dt.date(2029, 4, 14),
                                          gxsj=dt.datetime(2026, 4, 16, 9, 12, 5), story="credit_company_blacklisted")
    pb = sp["person_blacklisted"]
    s["credit_person_blacklisted"] = add(pb.name, pb.id, True, "黑名单", "有履行能力而拒不履行生效法律文书确定的给付义务",
                                         black_measures, "温州市鹿城区人民法院", court_case("330302", 2026),
                                         dt.date(2026, 5, 19), dt.date(2029, 5, 18),
                                         gxsj=dt.datetime(2026, 5, 20, 14, 2, 7), story="credit_person_blacklisted")
    cr = sc["company_credit_repaired"]
    s["credit_repaired"] = add(cr.name, cr.uscc, False, "黑名单", "重大税收违法失信主体：虚开增值税普通发票",
                               black_measures, "国家税务总局绍兴市税务局稽查局", "绍税稽罚〔2024〕37号",
                               dt.date(2024, 7, 1), dt.date(2027, 6, 30), zt="已移出",
                               gxsj=dt.datetime(2026, 8, 30, 11, 0, 0), story="credit_repaired")
    rv = sc["company_revoked"]
    add(rv.name, rv.uscc, False, "重点关注", "列入经营异常名录：未按规定期限公示年度报告", watch_measures,
        "宁波市海曙区市场监督管理局", f"甬海市监异〔2024〕{rng.randint(100, 999)}号", dt.date(2024, 7, 2), "长期",
        gxsj=dt.datetime(2024, 7, 2, 16, 0, 0), story="credit_revoked_watch")

    companies = [c for c in reg.companies if c.story is None and c.defect is None and c.djzt != "注销"]
    people = pop.adults(25)
    # Red lists: A-level tax payers, AEO-certified importers, volunteers.
    for c in rng.sample([c for c in companies if c.djzt in ("存续", "在业") and c.clrq < dt.date(2022, 1, 1)], 28):
        year = rng.choice([2024, 2025])
        add(c.name, c.uscc, False, rng.choice(["红名单", "守信激励"]), f"{year}年度纳税信用A级纳税人", red_measures,
            "国家税务总局浙江省税务局", f"浙税〔{year + 1}〕{rng.randint(10, 99)}号", dt.date(year + 1, 4, rng.randint(1, 28)),
            dt.date(year + 1, 12, 31) if rng.random() < 0.3 else dt.date(year + 2, 12, 31))
    for p in rng.sample(people, 12):
        lrrq = rand_date(rng, dt.date(2023, 1, 1), dt.date(2026, 10, 31))
        add(p.name, p.id, True, "红名单", "浙江省优秀志愿者（累计志愿服务时长 1500 小时以上）", "公共服务优先、优惠",
            "共青团浙江省委员会", f"浙团联〔{lrrq.year}〕{rng.randint(10, 99)}号", lrrq, add_years(lrrq, 3) - dt.timedelta(days=1))
    # Black lists: judgment defaulters (companies and people), serious tax offenders, serious
    # market violations; some already removed after credit repair.
    for c in rng.sample(companies, 14):
        kind = rng.random()
        lrrq = rand_date(rng, dt.date(2022, 6, 1), dt.date(2026, 10, 31))
        zt = "已移出" if rng.random() < 0.2 else "有效"
        if kind < 0.5:
            add(c.name, c.uscc, False, "失信联合惩戒对象", "失信被执行人：有履行能力而拒不履行生效法律文书确定的义务", black_measures,
                court(c.division), court_case(c.division, lrrq.year), lrrq, add_years(lrrq, 3) - dt.timedelta(days=1), zt)
        elif kind < 0.8:
            city = ZJ[c.division][0]
            add(c.name, c.uscc, False, "严重失信主体名单", "重大税收违法失信主体：逃避缴纳税款", black_measures,
                f"国家税务总局{city}税务局稽查局", f"税稽罚〔{lrrq.year}〕{rng.randint(10, 99)}号", lrrq,
                add_years(lrrq, 3) - dt.timedelta(days=1), zt)
        else:
            add(c.name, c.uscc, False, "黑名单", "列入严重违法失信名单：提交虚假材料取得公司登记", black_measures,
                f"{ZJ[c.division][0]}市场监督管理局", f"市监信〔{lrrq.year}〕{rng.randint(10, 99)}号", lrrq,
                add_years(lrrq, 5) - dt.timedelta(days=1), zt)
    for p in rng.sample([p for p in people if p.defect is None], 10):
        lrrq = rand_date(rng, dt.date(2022, 1, 1), dt.date(2026, 10, 31))
        add(p.name, p.id, True, "黑名单", "失信被执行人：有履行能力而拒不履行生效法律文书确定的给付义务", black_measures,
            court(p.hjdqh), court_case(p.hjdqh, lrrq.year), lrrq, add_years(lrrq, 3) - dt.timedelta(days=1),
            "已移出" if rng.random() < 0.2 else "有效")
    # Watch lists: abnormal business operation (经营异常名录).
    for c in rng.sample(companies, 26):
        lrrq = rand_date(rng, dt.date(2023, 7, 1), dt.date(2026, 10, 31))
        city, district, _, _ = ZJ[c.division]
        add(c.name, c.uscc, False, rng.choice(["重点关注", "重点关注名单"]),
            rng.choice(["列入经营异常名录：未按规定期限公示年度报告", "列入经营异常名录：通过登记的住所或者经营场所无法联系"]),
            watch_measures, f"{city}{district}市场监督管理局", f"市监异〔{lrrq.year}〕{rng.randint(100, 999)}号", lrrq, "长期",
            "已移出" if rng.random() < 0.15 else "有效")
    # Defects, about 3%.
    plain = [e for e in entries if e["story"] is None]
    v = rng.sample(plain, 3)
    r = v[0]["row"]
    r["ztdm"] = r["ztdm"][:17] + wrong(r["ztdm"][17], "0123456789X" if r["ztlx"] == "自然人" else USCC_ALPHABET)
    v[0]["defect"] = ("ztdm", r["ztdm"], "subject_id", "bad_checksum", "主体代码校验位错误")
    r = v[1]["row"]
    lrrq = dt.date.fromisoformat(r["lrrq"])
    r["yxqz"] = f"{lrrq - dt.timedelta(days=365):%Y-%m-%d}"
    v[1]["defect"] = ("yxqz", r["yxqz"], "expires_on", "cross_field", "有效期至早于列入日期")
    r = v[2]["row"]
    r["mdlx"] = "灰名单"
    v[2]["defect"] = ("mdlx", "灰名单", "list_type", "not_in_code_list", "名单类型“灰名单”不在代码表中")
    # The service returns them ordered by update time, like the real platform's export.
    entries.sort(key=lambda e: (e["row"]["gxsj"], e["row"]["id"]))
    return entries, s


# ============================================================================ writing

def write_sqlite(path: str, table: str, columns: list[str], rows: list[dict], ddl_extra: str = "") -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".db", dir=os.path.dirname(path))
    os.close(fd)
    os.unlink(tmp)
    try:
        con = sqlite3.connect(tmp)
        cols = ", ".join(f"{c} TEXT" + (" NOT NULL" if i == 0 else "") for i, c in enumerate(columns))
        con.execute(f"CREATE TABLE {table} ({cols})")
        if ddl_extra:
            con.executescript(ddl_extra)
        con.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                        [[r[c] if r[c] != "" else None for c in columns] for r in rows])
        con.commit()
        con.close()
        os.chmod(tmp, 0o644)
        for suffix in ("-wal", "-shm", "-journal"):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_atomic(path: str, data: bytes, mode: int = 0o644, mtime: float | None = None) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        if mtime is not None:
            os.utime(tmp, (mtime, mtime))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


POP_COLUMNS = ["sfzh", "xm", "xb", "csrq", "mz", "hjdz", "hjdqh", "lxdh", "gxsj", "zxbz"]
AMR_COLUMNS = ["tyshxydm", "qymc", "qylx", "fddbr", "fddbrsfzh", "zczb", "clrq", "jyfw", "zs", "zsxzqh", "djzt",
               "djjg", "gxsj"]
LICENSE_COLUMNS = ["zzbs", "zzlxdm", "zzmc", "czztmc", "czztdm", "fzjgmc", "fzjgdm", "fzrq", "yxqq", "yxqz", "zzzt",
                   "gxsj"]


def csv_bytes(columns: list[str], rows: list[dict]) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow({c: r[c] for c in columns})
    return buf.getvalue().encode("gbk")  # strict: every character must exist in GBK


def check_story(pop, reg, plat, credit, sp, sc) -> None:
    """The story must hold in the data, or the demo would tell a wrong one."""
    by_holder: dict[str, list] = {}
    for lic in plat.licenses:
        by_holder.setdefault(lic.holder_id, []).append(lic)
    black_valid = {e["row"]["ztdm"] for e in credit
                   if e["row"]["mdlx"] in ("黑名单", "失信联合惩戒对象", "严重失信主体名单") and e["row"]["zt"] == "有效"}
    ok = sp["person_ok"]
    names = {lic.zzmc for lic in by_holder[ok.id] if lic.zzzt == "有效" and lic.defect is None}
    assert {"结婚证", "出生医学证明"} <= names and ok.id not in black_valid and ok.defect is None
    nw = sp["person_newlywed"]
    names = {lic.zzmc for lic in by_holder[nw.id] if lic.defect is None}
    assert "结婚证" in names and "出生医学证明" not in names
    assert sc["company_ok"].rep is ok and sc["company_ok"].uscc not in black_valid
    assert sc["company_blacklisted"].uscc in black_valid and sc["company_blacklisted"].djzt == "存续"
    assert sp["person_blacklisted"].id in black_valid
    assert sc["company_credit_repaired"].uscc not in black_valid
    for p in (ok, sp["spouse_ok"], nw, sp["person_blacklisted"], sp["person_cancelled"]):
        assert p.defect is None
    assert len(set(p.id for p in pop.people)) == len(pop.people)
    assert len(set(c.uscc for c in reg.companies)) == len(reg.companies)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description="Write the demo department data (SQLite databases, GBK CSV exports, a credit list "
                    "for tools/demo/credit_service.py, story.json) that config/sources/ reads.",
        epilog="Deterministic except credit/token (new on every run). Replaces what an earlier run wrote "
               "in the output directory (psb/, amr/, license/, credit/, story.json); touches nothing else there.")
    ap.add_argument("--out", default=None,
                    help=f"output directory (default: {DEFAULT_OUT} in the repository, {os.path.join(REPO_ROOT, DEFAULT_OUT)})")
    ap.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    args = ap.parse_args(argv)
    out = os.path.abspath(args.out) if args.out else os.path.join(REPO_ROOT, DEFAULT_OUT)

    self_test()
    rng = random.Random(SEED)
    pop, sp = make_population(rng)
    reg, sc = make_registry(rng, pop, sp)
    plat, sl = make_licenses(rng, pop, reg, sp, sc)
    license_defects(rng, plat)
    credit, scr = make_credit(rng, pop, reg, sp, sc)
    check_story(pop, reg, plat, credit, sp, sc)

    os.makedirs(out, exist_ok=True)
    # psb/person.db
    pop_rows = population_rows(pop)
    write_sqlite(os.path.join(out, "psb", "person.db"), "czrk", POP_COLUMNS, pop_rows,
                 "CREATE INDEX idx_czrk_gxsj ON czrk (gxsj);")
    # amr/enterprise.db
    amr_rows = registry_rows(reg)
    write_sqlite(os.path.join(out, "amr", "enterprise.db"), "qyjbxx", AMR_COLUMNS, amr_rows,
                 "CREATE INDEX idx_qyjbxx_gxsj ON qyjbxx (gxsj);")
    # license/dzzz_*.csv (GBK, CRLF), with the export times as modification times
    lic_dir = os.path.join(out, "license")
    os.makedirs(lic_dir, exist_ok=True)
    for name in os.listdir(lic_dir):
        if name.startswith("dzzz_") and name.endswith(".csv") and name not in dict(LICENSE_FILES):
            os.unlink(os.path.join(lic_dir, name))
    files = license_files(plat)
    for name, when in LICENSE_FILES:
        write_atomic(os.path.join(lic_dir, name), csv_bytes(LICENSE_COLUMNS, files[name]), mtime=when.timestamp())
    # credit/credit.json and credit/token
    credit_doc = {"platform": "信用浙江（演示数据）", "generated_for": "yici demo", "as_of": f"{AS_OF:%Y-%m-%d}",
                  "items": [e["row"] for e in credit]}
    write_atomic(os.path.join(out, "credit", "credit.json"),
                 (json.dumps(credit_doc, ensure_ascii=False, indent=1) + "\n").encode())
    write_atomic(os.path.join(out, "credit", "token"), (secrets.token_urlsafe(32) + "\n").encode(), mode=0o600)

    # story.json
    def lic_ref(lic):
        return {"license_id": lic.zzbs, "license_name": lic.zzmc, "holder_id": lic.holder_id}

    defects = []
    for p in pop.people:
        if p.defect:
            defects.append({"source": "hz-psb-population", "key": p.id if p.defect[0] != "sfzh" else p.defect[1],
                            "column": p.defect[0], "value": p.defect[1], "field": p.defect[2],
                            "code": p.defect[3], "why": p.defect[4]})
    for c in reg.companies:
        if c.defect:
            defects.append({"source": "zj-amr-legal-entity", "key": c.uscc if c.defect[0] != "tyshxydm" else c.defect[1],
                            "column": c.defect[0], "value": c.defect[1], "field": c.defect[2], "code": c.defect[3],
                            "why": c.defect[4]})
    for lic in plat.licenses:
        if lic.defect:
            value = lic.defect[1]
            value = f"{value:%Y-%m-%d}" if isinstance(value, dt.date) else value
            defects.append({"source": "zj-license-e-license", "key": lic.zzbs if lic.defect[0] != "zzbs" else value,
                            "column": lic.defect[0], "value": value, "field": lic.defect[2], "code": lic.defect[3],
                            "why": lic.defect[4]})
    for e in credit:
        if e["defect"]:
            d = e["defect"]
            defects.append({"source": "zj-credit-credit", "key": e["row"]["id"], "column": d[0], "value": d[1],
                            "field": d[2], "code": d[3], "why": d[4]})
    example = next(d for d in defects if d["source"] == "hz-psb-population" and d["code"] == "bad_date")
    ok, cok = sp["person_ok"], sc["company_ok"]
    story = {
        "as_of": f"{AS_OF:%Y-%m-%d}",
        "subjects": {
            "person_ok": {"id": ok.id, "name": ok.name, "matter": "newborn-one-thing",
                          "explain": f"{ok.name}, 西湖区 resident: her 结婚证 (2021-05-20) and her baby's 出生医学证明 "
                                     "(2026-11-08, filed under the mother's ID) are on the e-licence platform and she is on "
                                     "no black list: the newborn bundle is satisfied, only the signed application form is left"},
            "person_newlywed": {"id": sp["person_newlywed"].id, "name": sp["person_newlywed"].name,
                                "matter": "newborn-one-thing",
                                "explain": "married 2026-10-02: the 结婚证 is on file, no 出生医学证明 yet, so that material "
                                           "is missing (none_on_file)"},
            "company_ok": {"id": cok.uscc, "name": cok.name, "matter": "food-business-license",
                           "explain": f"an active (存续) restaurant company registered 2026-09-16 whose legal representative "
                                      f"is {ok.name}; registered and no credit record: the food-business-license bundle "
                                      "is satisfied, only the two documents no department holds are to bring"},
            "company_blacklisted": {"id": sc["company_blacklisted"].uscc, "name": sc["company_blacklisted"].name,
                                    "matter": "food-business-license",
                                    "explain": "active, but on the black list as a judgment defaulter (失信被执行人, "
                                               "温州市鹿城区人民法院, until 2029-04-14): credit-clearance missing, "
                                               "reason blacklisted"},
            "company_revoked": {"id": sc["company_revoked"].uscc, "name": sc["company_revoked"].name,
                                "matter": "food-business-license",
                                "explain": "licence revoked (吊销): the enterprise register says so, and the 15 November "
                                           "e-licence increment turns its 营业执照 from 有效 to 吊销 (record version 2): "
                                           "business-license missing, reason revoked; its only credit entry is a watch "
                                           "list (经营异常), which does not block"},
            "company_credit_repaired": {"id": sc["company_credit_repaired"].uscc,
                                        "name": sc["company_credit_repaired"].name, "matter": "food-business-license",
                                        "explain": "black-listed in 2024 for a tax offence, removed (已移出) after credit "
                                                   "repair on 2026-08-30: credit-clearance satisfied, the removed entry is "
                                                   "shown (status removed)"},
            "person_blacklisted": {"id": sp["person_blacklisted"].id, "name": sp["person_blacklisted"].name,
                                   "matter": "individual-business-registration",
                                   "explain": "a judgment defaulter on the black list: individual-business-registration "
                                              "has credit-clearance missing, reason blacklisted"},
            "person_cancelled": {"id": sp["person_cancelled"].id, "name": sp["person_cancelled"].name,
                                 "explain": "household registration cancelled (czrk.zxbz = '1'): stored as a withdrawn "
                                            "record, so lookups answer 404 and bundles say none_on_file"},
        },
        "licenses": {"marriage_ok": lic_ref(sl["marriage_ok"]), "birth_ok": lic_ref(sl["birth_ok"]),
                     "revoked_in_increment": lic_ref(sl["license_revoked_update"])},
        "quarantined_example": {**example, "explain": "a population row whose 出生日期 is 30 February is quarantined "
                                                      "with bad_date (its ID is masked in the quarantine view); the "
                                                      "other rows are stored"},
        "quarantined": defects,
        "warnings": {"population_bad_phone": "one resident's phone number lacks a digit: phone is severity warn, so "
                                             "it becomes null and the person is kept",
                     "legal_entity_bad_org_code": "one company's organisation code (USCC positions 9-17) fails "
                                                  "GB 11714: org_code_check is warn, the company is kept"},
        "expected": {
            "hz-psb-population": {"rows": len(pop_rows), "rejected": sum(1 for p in pop.people if p.defect),
                                  "withdrawn": sum(1 for p in pop.people if p.zxbz == "1")},
            "zj-amr-legal-entity": {"rows": len(amr_rows) - len(TEST_ROWS), "test_rows_skipped_by_query": len(TEST_ROWS),
                                    "rejected": sum(1 for c in reg.companies if c.defect)},
            "zj-license-e-license": {"rows": sum(len(v) for v in files.values()),
                                     "files": {k: len(v) for k, v in files.items()},
                                     "licenses": len(plat.licenses),
                                     "rejected": sum(1 for lic in plat.licenses if lic.defect)},
            "zj-credit-credit": {"rows": len(credit), "rejected": sum(1 for e in credit if e["defect"])},
        },
    }
    write_atomic(os.path.join(out, "story.json"), (json.dumps(story, ensure_ascii=False, indent=2) + "\n").encode())

    if not args.quiet:
        exp = story["expected"]
        print(f"demo data in {out}:")
        print(f"  {'psb/person.db':28} {exp['hz-psb-population']['rows']:4d} rows (czrk), "
              f"{exp['hz-psb-population']['rejected']} defective, {exp['hz-psb-population']['withdrawn']} cancelled")
        print(f"  {'amr/enterprise.db':28} {len(amr_rows):4d} rows (qyjbxx), {len(TEST_ROWS)} of them test rows, "
              f"{exp['zj-amr-legal-entity']['rejected']} defective")
        for name, rows in files.items():
            bad = sum(1 for lic in plat.licenses if lic.defect) if name == LICENSE_FILES[0][0] else 0
            print(f"  {'license/' + name:28} {len(rows):4d} rows (GBK), {bad} defective")
        print(f"  {'credit/credit.json':28} {len(credit):4d} entries, {exp['zj-credit-credit']['rejected']} defective")
        print("  credit/token, story.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
