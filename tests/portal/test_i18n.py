"""Chinese and English: the language switch, translated pages, locale-formatted figures."""

from __future__ import annotations

from html.parser import HTMLParser

from django.urls import reverse
from django.utils import translation

from reetrace.accounts.permissions import UserRole as R
from reetrace.portal.templatetags.portal import kg, reo_summary
from tests.portal.conftest import signed_in


def test_switching_to_chinese_translates_the_portal(chain):
    client = signed_in(chain.users[R.REGULATOR])
    response = client.post(
        "/i18n/setlang/", {"language": "zh-hans", "next": reverse("portal:national")}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'lang="zh-hans"' in page and "全国概览" in page and "退出登录" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "National overview" in client.get(reverse("portal:national")).content.decode()


def test_figures_carry_units_and_locale_grouping():
    with translation.override("en"):
        assert kg("1234.5") == "1,234.500 kg"
        assert reo_summary({"Nd": "2", "Dy": "0.5"}) == "Dy 0.500 · Nd 2.000 REO kg"
    with translation.override("zh-hans"):  # Django's zh_Hans formats: no thousands mark
        assert kg("1234.5") == "1234.500 kg"


class Inputs(HTMLParser):
    """Ids of visible form controls, and the ids that labels point at."""

    def __init__(self):
        super().__init__()
        self.controls: set[str] = set()
        self.labelled: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.controls.add(attrs.get("id", f"<{tag} name={attrs.get('name')}>"))
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])


def test_every_input_has_a_label_and_its_help(chain):
    client = signed_in(chain.user_for(chain.magnet_maker))
    for kind in ("mine", "ship", "receive", "export", "adjust", "transform"):
        page = client.get(reverse("portal:report-event", args=[kind])).content.decode()
        found = Inputs()
        found.feed(page)
        assert found.controls and found.controls <= found.labelled, kind
    assert 'aria-describedby="id_mass_helptext"' in page or "helptext" in page
