import datetime as dt

import factory
from django.utils import timezone

from tests.factories import CommunityFactory, ResidentFactory


class StopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "desks.Stop"

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"第{n}服务点")
    kind = "compound"


class RouteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "desks.Route"
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"路线{n}")
    weekday = 2  # Wednesday
    start_time = dt.time(9, 0)
    end_time = dt.time(11, 30)
    services = ["policy_advice", "request_intake", "health_screening"]


class RouteStopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "desks.RouteStop"

    route = factory.SubFactory(RouteFactory)
    stop = factory.SubFactory(StopFactory, community=factory.SelfAttribute("..route.community"))
    position = factory.Sequence(lambda n: n + 1)
    start_time = dt.time(9, 0)
    end_time = dt.time(10, 0)


class DeskSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "desks.DeskSession"
        skip_postgeneration_save = True

    community = factory.SubFactory(CommunityFactory)
    stop = factory.SubFactory(StopFactory, community=factory.SelfAttribute("..community"))
    date = factory.LazyFunction(timezone.localdate)
    start_time = dt.time(9, 0)
    end_time = dt.time(11, 0)
    services = ["policy_advice", "health_screening"]

    @factory.post_generation
    def team(self, create, extracted, **kwargs):
        if create and extracted:
            self.team.set(extracted)


class ScreeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "desks.Screening"

    session = factory.SubFactory(DeskSessionFactory, status="open")
    community = factory.SelfAttribute("session.community")
    resident = factory.SubFactory(
        ResidentFactory, community=factory.SelfAttribute("..session.community"), health_consent=True
    )
    recorded_by = factory.SubFactory("tests.factories.UserFactory")
    systolic = 128
    diastolic = 82
