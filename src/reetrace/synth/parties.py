"""The cast of the chain: groups, enterprises with valid USCCs, sites, foreign buyers.

A Party is one enterprise as the generator sees it: its registry record, what
it holds (an inventory of lots, FIFO) and the days it works. Domestic users
and foreign buyers are sinks: what they receive leaves the generator's books.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from reetrace.registry.choices import EnterpriseRole as R
from reetrace.registry.identifiers import USCC_ALPHABET, uscc_with_check
from reetrace.synth.compositions import Comp

GROUPS = [
    {"code": "CREG", "name_zh": "中国稀土集团有限公司", "name_en": "China Rare Earth Group"},
    {
        "code": "CNRE",
        "name_zh": "中国北方稀土(集团)高科技股份有限公司",
        "name_en": "China Northern Rare Earth",
    },
]
# (province, city, city in Chinese, administrative division code)
PLACES = {
    "baotou": ("Inner Mongolia", "Baotou", "包头", "150200"),
    "ganzhou": ("Jiangxi", "Ganzhou", "赣州", "360700"),
    "liangshan": ("Sichuan", "Liangshan", "凉山", "513400"),
    "leshan": ("Sichuan", "Leshan", "乐山", "511100"),
    "weishan": ("Shandong", "Jining", "济宁", "370800"),
    "longyan": ("Fujian", "Longyan", "龙岩", "350800"),
    "meizhou": ("Guangdong", "Meizhou", "梅州", "441400"),
    "chongzuo": ("Guangxi", "Chongzuo", "崇左", "451400"),
    "ningbo": ("Zhejiang", "Ningbo", "宁波", "330200"),
    "beijing": ("Beijing", "Beijing", "北京", "110108"),
    "tianjin": ("Tianjin", "Tianjin", "天津", "120116"),
    "yantai": ("Shandong", "Yantai", "烟台", "370600"),
    "taiyuan": ("Shanxi", "Taiyuan", "太原", "140100"),
    "changzhou": ("Jiangsu", "Changzhou", "常州", "320400"),
    "shanghai": ("Shanghai", "Shanghai", "上海", "310115"),
    "shenzhen": ("Guangdong", "Shenzhen", "深圳", "440300"),
    "hefei": ("Anhui", "Hefei", "合肥", "340100"),
    "chongqing": ("Chongqing", "Chongqing", "重庆", "500112"),
}
ROLE_PLACES = {
    "north": ["baotou", "baotou", "liangshan", "weishan"],
    "south": ["ganzhou", "longyan", "meizhou", "chongzuo"],
    R.SEPARATOR: ["baotou", "ganzhou", "leshan", "changzhou", "longyan"],
    R.METAL_MAKER: ["ganzhou", "baotou", "leshan", "ningbo"],
    R.MAGNET_MAKER: ["ningbo", "beijing", "tianjin", "ganzhou", "baotou", "yantai", "taiyuan"],
    R.TRADER: ["shanghai", "beijing", "shenzhen", "ganzhou"],
    R.RECYCLER: ["ganzhou", "ningbo", "baotou"],
    R.DOMESTIC_USER: ["shenzhen", "shanghai", "changzhou", "hefei", "chongqing", "ningbo"],
}
ROLE_WORDS = {
    R.MINER: ("Rare Earth Mining Co., Ltd.", "稀土矿业有限公司"),
    R.SEPARATOR: ("Rare Earth Smelting and Separation Co., Ltd.", "稀土冶炼分离有限公司"),
    R.METAL_MAKER: ("Rare Earth Metals Co., Ltd.", "稀土金属有限公司"),
    R.MAGNET_MAKER: ("Magnetic Materials Co., Ltd.", "磁性材料有限公司"),
    R.TRADER: ("Rare Earth Trading Co., Ltd.", "稀土贸易有限公司"),
    R.RECYCLER: ("Resource Recycling Co., Ltd.", "资源综合利用有限公司"),
    R.DOMESTIC_USER: ("Motor Co., Ltd.", "电机有限公司"),
}
BRANDS = [
    ("Huaxin", "华鑫"), ("Jinlong", "金龙"), ("Ruida", "瑞达"), ("Hengtai", "恒泰"),
    ("Zhongke", "中科"), ("Tianhe", "天和"), ("Xinyuan", "鑫源"), ("Guangsheng", "广晟"),
    ("Yunsheng", "韵升"), ("Dongfang", "东方"), ("Kaiyuan", "开元"), ("Shengda", "盛达"),
]  # fmt: skip
FOREIGN_SUFFIX = {
    "DE": "GmbH",
    "AT": "GmbH",
    "CH": "AG",
    "US": "Inc.",
    "JP": "K.K.",
    "KR": "Co., Ltd.",
}
FOREIGN_WORDS = ["Magnetics", "Motors", "Drives", "Electronics", "Automotive", "Industries"]


@dataclass(eq=False, slots=True)
class Holding:
    """A lot (or the part of it) a party holds: code, product, kg left, composition."""

    code: str
    product: str
    kg: Decimal
    comp: Comp
    tag: dict | None = None


@dataclass(eq=False)
class Party:
    identifier: str
    name_en: str
    name_zh: str
    province: str
    country: str
    roles: tuple[str, ...]
    group: str | None = None
    index: int = 0
    site: str | None = None
    ore: str | None = None
    plan_reo_kg: Decimal = Decimal(0)
    grades: tuple[str, ...] = ()
    stock: dict[str, list[Holding]] = field(default_factory=dict)
    quotas: dict[tuple[str, int], dict] = field(default_factory=dict)
    work_days: frozenset[int] = frozenset()

    @property
    def role(self) -> str:
        return self.roles[0]

    @property
    def exports(self) -> bool:
        return R.EXPORTER in self.roles

    def add(self, holding: Holding) -> None:
        self.stock.setdefault(holding.product, []).append(holding)

    def held(self, product: str) -> Decimal:
        return sum((h.kg for h in self.stock.get(product, [])), Decimal(0))

    def take_all(self, product: str) -> list[Holding]:
        return self.stock.pop(product, [])

    def take(self, product: str, kg: Decimal) -> list[tuple[Holding, Decimal]]:
        """Up to `kg` from the oldest lots first; lots emptied leave the inventory."""
        taken, lots = [], self.stock.get(product, [])
        while lots and kg > 0:
            lot = lots[0]
            part = min(lot.kg, kg)
            taken.append((lot, part))
            lot.kg -= part
            kg -= part
            if lot.kg <= 0:
                lots.pop(0)
        return taken

    def record(self) -> dict:
        """The registry record: what enterprise_register takes."""
        record = {
            "identifier": self.identifier,
            "country": self.country,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "province": self.province,
            "group": self.group or "",
            "roles": list(self.roles),
            "sites": [],
        }
        if self.site:
            kind = "mine" if R.MINER in self.roles else "plant"
            if self.role in (R.TRADER, R.DOMESTIC_USER):
                kind = "warehouse"
            record["sites"] = [{"code": self.site, "name": f"{self.name_en} site", "kind": kind}]
        return record


class Registrar:
    """Hands out USCCs, site codes and names; all deterministic under the seed."""

    def __init__(self, rng: random.Random, seed: int):
        self.rng = rng
        self.seed = seed
        self.used: dict[str, bool] = {}
        self.count = 0

    def uscc(self, division: str) -> str:
        while True:
            org = "".join(self.rng.choice(USCC_ALPHABET) for _ in range(9))
            code = uscc_with_check(f"91{division}{org}")
            if code not in self.used:
                self.used[code] = True
                return code

    def domestic(self, role: str, place: str, roles: tuple[str, ...], group=None) -> Party:
        province, city, city_zh, division = PLACES[place]
        self.count += 1
        brand, brand_zh = self.rng.choice(BRANDS)
        words, words_zh = ROLE_WORDS[role]
        return Party(
            identifier=self.uscc(division),
            name_en=f"{city} {brand} {words} ({self.count})",
            name_zh=f"{city_zh}{brand_zh}{words_zh}（{self.count}）",
            province=province,
            country="CN",
            roles=roles,
            group=group,
            site=f"S{self.seed}-{self.count:05d}",
        )

    def foreign(self, country: str, n: int) -> Party:
        number = f"{n:04d}{self.rng.randrange(10, 99)}"
        local = f"HRB-{number}" if country == "DE" else f"REG-{number}"
        word = FOREIGN_WORDS[n % len(FOREIGN_WORDS)]
        brand = BRANDS[(n * 7) % len(BRANDS)][0]
        suffix = FOREIGN_SUFFIX.get(country, "Ltd.")
        return Party(
            identifier=f"{country}:{local}",
            name_en=f"{brand} {word} {country} {suffix}",
            name_zh="",
            province="",
            country=country,
            roles=(R.FOREIGN_BUYER,),
        )
