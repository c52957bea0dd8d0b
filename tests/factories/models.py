"""Model factories (factory_boy) for members, books and reading progress."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from reviews.models import Book, ReadingProgress


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"member{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("password")


def user_in(group: Group, username: str, **fields):
    """A user (``UserFactory``) in ``group``."""
    user = UserFactory(username=username, **fields)
    user.groups.add(group)
    return user


class BookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Book

    title = factory.Sequence(lambda n: f"Book {n}")
    author = "Helen Dunmore"
    published_year = 2001


class ReadingProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReadingProgress

    member = factory.SubFactory(UserFactory)
    book = factory.SubFactory(BookFactory)
