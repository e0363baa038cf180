"""Who is in the chain and how much each plans to handle: the cast and its quotas.

National volumes (docs/facts.md section 2) times the scale's volume share are split
over the miners of each group; separators expect what the miners of their
group send plus their imports, and are issued quotas a little above that.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from reetrace.registry.choices import EnterpriseRole as R
from reetrace.synth.compositions import dec
from reetrace.synth.config import SynthConfig
from reetrace.synth.parties import GROUPS, ROLE_PLACES, Party, Registrar

T = Decimal(1000)


@dataclass
class Cast:
    groups: list[dict]
    by_role: dict[str, list[Party]] = field(default_factory=dict)
    buyers_by_country: dict[str, list[Party]] = field(default_factory=dict)

    def of(self, role: str) -> list[Party]:
        return self.by_role.get(role, [])

    def everyone(self) -> list[Party]:
        seen, out = {}, []
        for parties in self.by_role.values():
            for party in parties:
                if party.identifier not in seen:
                    seen[party.identifier] = True
                    out.append(party)
        return out

    def domestic(self) -> list[Party]:
        return [p for p in self.everyone() if p.country == "CN"]


def build_cast(cfg: SynthConfig, rng: random.Random, seed: int) -> Cast:
    reg = Registrar(rng, seed)
    scale = cfg.scale
    cast = Cast(groups=GROUPS)
    cast.by_role[R.MINER] = _miners(cfg, rng, reg)
    n_sep = scale["separators"]
    cast.by_role[R.SEPARATOR] = [
        reg.domestic(
            R.SEPARATOR,
            "baotou" if i % 2 == 0 else ROLE_PLACES[R.SEPARATOR][1 + i % 4],
            (R.SEPARATOR,),
            "CNRE" if i % 2 == 0 else "CREG",
        )
        for i in range(n_sep)
    ]
    _simple(cast, reg, R.METAL_MAKER, scale["metal_makers"], lambda i: (R.METAL_MAKER,))
    share = cfg["exports"]["magnet_exporter_share"]
    _simple(
        cast,
        reg,
        R.MAGNET_MAKER,
        scale["magnet_makers"],
        lambda i: (R.MAGNET_MAKER, R.EXPORTER) if i % 10 < share * 10 else (R.MAGNET_MAKER,),
    )
    _simple(cast, reg, R.TRADER, scale["traders"], lambda i: (R.TRADER, R.EXPORTER))
    _simple(cast, reg, R.RECYCLER, scale["recyclers"], lambda i: (R.RECYCLER,))
    _simple(cast, reg, R.DOMESTIC_USER, scale["domestic_users"], lambda i: (R.DOMESTIC_USER,))
    for i, maker in enumerate(cast.of(R.MAGNET_MAKER)):
        grades = ["sintered_n", "sintered_h", "sintered_gbd"]
        if i % 3 == 2:
            grades += ["bonded", "smco"]
        maker.grades = tuple(grades)
    _buyers(cast, cfg, reg)
    _plan_separators(cast, cfg)
    return cast


def _simple(cast: Cast, reg: Registrar, role: str, count: int, roles) -> None:
    places = ROLE_PLACES[role]
    parties = []
    for i in range(count):
        party = reg.domestic(role, places[i % len(places)], roles(i))
        party.index = i
        parties.append(party)
    cast.by_role[role] = parties


def _miners(cfg: SynthConfig, rng: random.Random, reg: Registrar) -> list[Party]:
    nat, scale = cfg["national"], cfg.scale
    light_kg = dec(nat["mining_light_t_reo"]) * T * dec(cfg.volume_share)
    heavy_kg = dec(nat["mining_medium_heavy_t_reo"]) * T * dec(cfg.volume_share)
    miners = []
    north = scale["miners_north"]
    cnre_n = max(1, round(north * nat["light_share"]["CNRE"])) if north > 1 else north
    for i in range(north):
        group = "CNRE" if i < cnre_n else "CREG"
        place = "baotou" if group == "CNRE" else ROLE_PLACES["north"][2 + i % 2]
        miner = reg.domestic(R.MINER, place, (R.MINER,), group)
        count = cnre_n if group == "CNRE" else max(1, north - cnre_n)
        miner.ore = "bastnaesite"
        miner.plan_reo_kg = light_kg * dec(nat["light_share"][group]) / count
        miners.append(miner)
    south = scale["miners_south"]
    for i in range(south):
        miner = reg.domestic(R.MINER, ROLE_PLACES["south"][i % 4], (R.MINER,), "CREG")
        miner.ore = "ionic_heavy" if i % 2 == 0 else "ionic_medium"
        miner.plan_reo_kg = heavy_kg / south
        miners.append(miner)
    for i, miner in enumerate(miners):
        miner.index = i
        miner.plan_reo_kg *= dec(round(rng.uniform(0.85, 1.15), 3))
    return miners


def _buyers(cast: Cast, cfg: SynthConfig, reg: Registrar) -> None:
    shares = cfg["destinations"]
    total = cfg.scale["foreign_buyers"]
    n = 0
    for country, share in shares.items():
        count = max(1, round(total * share))
        cast.buyers_by_country[country] = []
        for _ in range(count):
            n += 1
            cast.buyers_by_country[country].append(reg.foreign(country, n))
    cast.by_role[R.FOREIGN_BUYER] = [b for bs in cast.buyers_by_country.values() for b in bs]


def _plan_separators(cast: Cast, cfg: SynthConfig) -> None:
    """Expected feed per separator: its group's mined REO plus a share of imports."""
    seps = cast.of(R.SEPARATOR)
    for miner in cast.of(R.MINER):
        mates = [s for s in seps if s.group == miner.group] or seps
        for sep in mates:
            sep.plan_reo_kg += miner.plan_reo_kg / len(mates)
    imports = dec(cfg["national"]["imports_t_reo"]) * T * dec(cfg.volume_share)
    for sep in seps:
        sep.plan_reo_kg += imports / len(seps)
