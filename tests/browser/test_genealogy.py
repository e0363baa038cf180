"""A lot made from 105 ore lots: its genealogy opens by enterprise x product stage (at
most 40 nodes, inside the chart), and a click on the group's button shows its lots;
no two node labels overlap, grouped or expanded (one ore lot outweighs the others
500 times, which squeezes the other 104 nodes closer than a line of text)."""

from __future__ import annotations

import pytest

from reetrace.synth.demo import demo_users
from tests.browser.conftest import shot
from tests.browser.test_portal import catalogue_load
from tests.browser.test_roles import sign_in
from tests.factories.chain import new_lot, receive, ship, transform
from tests.factories.world import at, build_world, code

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ORES = 105
OXIDE = code(900)
BIG = "50000"  # kg of the first ore lot; the others have 100 kg

# Pairs of node labels whose boxes cross, and labels that leave the chart.
LABEL_CLASHES = """() => {
  const chart = document.querySelector('#genealogy-chart').getBoundingClientRect();
  const boxes = [...document.querySelectorAll('#genealogy-chart text.node-label')]
    .filter(t => t.textContent).map(t => [t.textContent, t.getBoundingClientRect()]);
  const found = [];
  boxes.forEach(([name, r], i) => {
    if (r.left < chart.left || r.right > chart.right || r.bottom > chart.bottom) found.push(name);
    boxes.slice(i + 1).forEach(([other, o]) => {
      if (r.left < o.right && o.left < r.right && r.top < o.bottom && o.top < r.bottom)
        found.push(name + ' / ' + other);
    });
  });
  return found;
}"""


def mass(n: int) -> str:
    return BIG if n == 0 else "100"


@pytest.fixture
def blended(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    catalogue_load()
    world = build_world()
    ores = [code(1000 + n) for n in range(ORES)]
    mine = {"kind": "mine", "quota": "Q-2025-MINING-1", "event_time": at(3, 1)}
    world.capture(
        world.miner,
        *(
            mine | {"event_id": f"m-{n}", "lot": new_lot(c, "ORE-BASTNAESITE", mass(n), Nd="0.008")}
            for n, c in enumerate(ores)
        ),
        *(ship(f"s-{n}", c, mass(n), world.separator, 2) for n, c in enumerate(ores)),
    )
    world.capture(
        world.separator,
        *(receive(f"r-{n}", f"s-{n}", mass(n), 3) for n in range(ORES)),
        transform(
            "t-blend",
            "separation",
            [(c, mass(n)) for n, c in enumerate(ores)],
            [new_lot(OXIDE, "OXIDE-PRND", "50", Nd="0.6")],
            4,
            quota="Q-2025-SEP-1",
        ),
    )
    demo_users()
    return world


def test_a_large_genealogy_opens_grouped_and_expands_on_click(page, blended):
    sign_in(page, "demo-regulator")
    page.goto(f"/lots/{OXIDE}/")
    chart = page.locator("#genealogy-chart")
    nodes = chart.locator(".sankey-node")
    nodes.first.wait_for()
    assert 2 <= nodes.count() <= 40
    group = nodes.filter(has_text="Ore and concentrate")
    assert group.count() == 1 and "Baotou Mining" in group.text_content()
    box, frame = group.bounding_box(), chart.bounding_box()
    assert frame["y"] <= box["y"] and box["y"] + box["height"] <= frame["y"] + frame["height"]
    assert page.evaluate(LABEL_CLASHES) == []
    shot(page, "genealogy-grouped")
    page.locator("#genealogy-groups button.expand", has_text="Ore and concentrate").click()
    for _ in range(100):  # the chart is redrawn in place (no navigation to wait for)
        if int(chart.get_attribute("data-nodes") or 0) > 40:
            break
        page.wait_for_timeout(100)
    assert nodes.count() >= 100  # the nearest 100 lots (the default bound), drawn one by one
    total = page.locator("[data-count='genealogy']").inner_text().rsplit(" ", 1)[-1]
    assert int(total) == nodes.count() - 1  # every edge in the table below, 50 a page
    assert page.evaluate(LABEL_CLASHES) == []
    assert int(chart.get_attribute("data-labels-cut")) > 0  # squeezed labels were cut short
    shot(page, "genealogy-expanded")
