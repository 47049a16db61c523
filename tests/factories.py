import factory
from django.contrib.auth import get_user_model

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="zh_CN")
    last_name = factory.Faker("last_name", locale="zh_CN")
    password = factory.django.Password(PASSWORD)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "residents.Community"
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试{n}社区")
    code = factory.Sequence(lambda n: f"T{n}")
    street_office = "老街街道"
    district = "源汇区"


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "residents.Grid"

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"第{n}网格")


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "residents.Resident"

    community = factory.SubFactory(CommunityFactory)
    grid = factory.SubFactory(GridFactory, community=factory.SelfAttribute("..community"))
    name = factory.Faker("name", locale="zh_CN")
    name_pinyin = factory.LazyAttribute(lambda o: __import__("residents.pinyin").pinyin.name_readings(o.name))
    phone = factory.Sequence(lambda n: f"+86138{n % 100000000:08d}")
    compound = "冶金厂家属院"
    building = factory.Sequence(lambda n: str(n % 12 + 1))
    unit = "2"
    room = factory.Sequence(lambda n: f"{n % 6 + 1}0{n % 4 + 1}")
    sms_consent = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "residents.Membership"

    user = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)
    role = "desk_staff"


def member(community, role: str = "desk_staff", **user_fields):
    """A user who belongs to `community` with `role` (and the health permission if asked)."""
    health = user_fields.pop("health_permission", False)
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, community=community, role=role, health_permission=health)
    return user
