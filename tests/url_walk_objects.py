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

# URLs whose job is to show a full phone to a member (each use is logged).
REVEALING_URLS = set()
