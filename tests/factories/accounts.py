from __future__ import annotations

import factory

from reetrace.accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = "regulator"
    password = factory.django.Password("correct-horse-battery")
