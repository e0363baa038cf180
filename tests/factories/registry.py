"""Factories that build valid registry objects (valid USCC check characters included)."""

from __future__ import annotations

import itertools

import factory

from reetrace.registry.identifiers import uscc_with_check
from reetrace.registry.models import Enterprise, EnterpriseRoleGrant, Quota, Site

_serial = itertools.count(1)


def next_uscc() -> str:
    return uscc_with_check(f"91150200{next(_serial):09d}")


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    identifier = factory.LazyFunction(next_uscc)
    country = "CN"
    name_en = factory.Sequence(lambda n: f"Enterprise {n}")
    name_zh = factory.Sequence(lambda n: f"企业{n}")
    province = "Inner Mongolia"

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            EnterpriseRoleGrant.objects.create(enterprise=self, role=role)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    enterprise = factory.SubFactory(EnterpriseFactory)
    code = factory.Sequence(lambda n: f"SITE-{n:05d}")
    name = factory.Sequence(lambda n: f"Site {n}")
    kind = "plant"


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quota

    code = factory.Sequence(lambda n: f"Q-2025-{n:04d}")
    enterprise = factory.SubFactory(EnterpriseFactory)
    year = 2025
    kind = "mining"
    light_t = 1000
    medium_heavy_t = 100
    document = "工信部联原〔2025〕1号"
