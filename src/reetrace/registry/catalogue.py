"""The standard product catalogue loaded into every database (docs/facts.md section 4).

HS codes are China's national lines where docs/facts.md gives one; a product's HS code
never decides export control on its own (magnets all share 8505111000).
"""

from __future__ import annotations

from reetrace.registry.choices import ProductForm as F

STANDARD_PRODUCTS: list[tuple[str, str, str, str]] = [
    ("ORE-BASTNAESITE", F.ORE, "2530902000", "Bastnaesite / Bayan Obo rare-earth concentrate"),
    ("ORE-IONIC-CLAY", F.ORE, "2530902000", "Ion-adsorption clay rare-earth concentrate"),
    ("ORE-MONAZITE", F.ORE, "2612200000", "Monazite concentrate"),
    ("MIXED-CARBONATE", F.MIXED_COMPOUND, "2846901999", "Mixed rare-earth carbonate"),
    ("MIXED-OXIDE-MHREE", F.MIXED_COMPOUND, "2846901992", "RE oxides, medium-heavy RE >= 30%"),
    ("OXIDE-LA", F.OXIDE, "2846901999", "Lanthanum oxide La2O3"),
    ("OXIDE-CE", F.OXIDE, "2846101000", "Cerium oxide CeO2"),
    ("OXIDE-PRND", F.OXIDE, "2846901999", "Praseodymium-neodymium oxide"),
    ("OXIDE-ND", F.OXIDE, "2846901999", "Neodymium oxide Nd2O3"),
    ("OXIDE-SM", F.OXIDE, "2846901940", "Samarium oxide Sm2O3"),
    ("OXIDE-GD", F.OXIDE, "2846901930", "Gadolinium oxide Gd2O3"),
    ("OXIDE-TB", F.OXIDE, "2846901993", "Terbium oxide Tb4O7"),
    ("OXIDE-DY", F.OXIDE, "2846901993", "Dysprosium oxide Dy2O3"),
    ("OXIDE-Y", F.OXIDE, "2846901993", "Yttrium oxide Y2O3"),
    ("OXIDE-LU", F.OXIDE, "2846901993", "Lutetium oxide Lu2O3"),
    ("OXIDE-SC", F.OXIDE, "2846901980", "Scandium oxide Sc2O3"),
    ("METAL-PRND", F.METAL, "2805301990", "Praseodymium-neodymium metal"),
    ("METAL-ND", F.METAL, "2805301100", "Neodymium metal"),
    ("METAL-DY", F.METAL, "2805301200", "Dysprosium metal"),
    ("METAL-TB", F.METAL, "2805301300", "Terbium metal"),
    ("METAL-SM", F.METAL, "2805301910", "Samarium metal"),
    ("METAL-Y", F.METAL, "2805301700", "Yttrium metal"),
    ("ALLOY-DYFE", F.ALLOY, "2805301990", "Dysprosium-iron alloy"),
    ("ALLOY-NDFEB", F.ALLOY, "7202999190", "NdFeB magnet alloy (strip-cast flakes)"),
    ("MAGNET-NDFEB-SINTERED", F.SINTERED_NDFEB, "8505111000", "Sintered NdFeB permanent magnet"),
    ("MAGNET-NDFEB-BONDED", F.BONDED_NDFEB, "8505111000", "Bonded NdFeB permanent magnet"),
    ("MAGNET-SMCO", F.SMCO, "8505111000", "Samarium-cobalt permanent magnet"),
    ("SCRAP-MAGNET", F.SCRAP, "8505111000", "NdFeB magnet scrap and swarf"),
    ("SCRAP-OTHER", F.SCRAP, "2846901999", "Other rare-earth bearing scrap"),
]
