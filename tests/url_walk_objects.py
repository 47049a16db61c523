"""The objects the URL walk (tests/test_url_walk.py) opens: every URL that takes one is listed here.

Each entry maps a URL name to the kwargs of an object that belongs to 滨西社区 (alice's). Bob, of
滨东社区, must get 404 for all of them.
"""

from dataclasses import dataclass

from residents.phones import national_digits
from tests.factories import ResidentFactory


@dataclass
class World:
    alice: object
    bob: object
    binxi: object
    bindong: object
    binxi_resident: object
    bindong_resident: object

    @classmethod
    def build(cls, *, alice, bob, binxi, bindong):
        return cls(
            alice=alice,
            bob=bob,
            binxi=binxi,
            bindong=bindong,
            binxi_resident=ResidentFactory(community=binxi, name="王玉枝", phone="+8613912345678"),
            bindong_resident=ResidentFactory(community=bindong, name="赵德柱", phone="+8613787654321"),
        )

    def full_phones(self) -> list[str]:
        phones = [self.binxi_resident.phone, self.bindong_resident.phone]
        return phones + [national_digits(p) for p in phones]


OBJECT_URLS = {}

# URLs meant for the public (no login): opened with their own kwargs, not scoped to a community.
PUBLIC_URLS = {}

# URLs whose job is to show a full phone to a member (each use is logged: tests/residents).
REVEALING_URLS = {"residents:reveal_phone"}

# The resident directory (residents/urls_directory.py).
OBJECT_URLS.update(
    {
        name: (lambda world: {"pk": world.binxi_resident.pk})
        for name in (
            "residents:detail",
            "residents:edit",
            "residents:reveal_phone",
            "residents:show_id",
            "residents:anonymise",
        )
    }
)


def _binxi_roster_import(world) -> dict:
    """An upload of 滨西's awaiting confirmation (roster import, residents/urls_rosters.py)."""
    from residents.models import RosterImport

    roster_import = RosterImport.objects.create(
        community=world.binxi, uploaded_by=world.alice, file_name="花名册.csv", content=b""
    )
    return {"pk": roster_import.pk}


OBJECT_URLS.update(
    dict.fromkeys(
        (
            "residents:roster_import_detail",
            "residents:roster_import_confirm",
            "residents:roster_import_discard",
            "residents:roster_import_report",
        ),
        _binxi_roster_import,
    )
)


def _binxi_sms(world) -> dict:
    """An SMS of 滨西's whose send ended unknown (the outbox page's resend, residents/sms)."""
    from residents.sms.models import SmsMessage

    message = SmsMessage.objects.create(
        community=world.binxi,
        kind="acknowledgement",
        purpose="status",
        phone=world.binxi_resident.phone,
        resident=world.binxi_resident,
        text="【滨西社区】您的诉求已登记",
        state="unknown",
    )
    return {"pk": message.pk}


OBJECT_URLS["residents:sms_resend"] = _binxi_sms
# Providers' callbacks: the token is the secret (a wrong one answers 403); not scoped to a community.
PUBLIC_URLS.update(
    dict.fromkeys(("sms:aliyun_receipt", "sms:aliyun_reply"), lambda world: {"token": "not-it"})
)


def _desk_urls() -> dict:
    """The mobile desks (desks/urls.py): sessions, routes, stops, screenings (tests/desks/walk.py)."""
    from tests.desks.walk import DESK_OBJECT_URLS

    return DESK_OBJECT_URLS


OBJECT_URLS.update(_desk_urls())


def _request_urls() -> tuple[dict, dict]:
    """The request pages (requests/urls.py) and the public status page (tests/requests/walk.py)."""
    from tests.requests.walk import REQUEST_OBJECT_URLS, REQUEST_PUBLIC_URLS

    return REQUEST_OBJECT_URLS, REQUEST_PUBLIC_URLS


OBJECT_URLS.update(_request_urls()[0])
PUBLIC_URLS.update(_request_urls()[1])
