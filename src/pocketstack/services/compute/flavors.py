"""Flavors: the sizes servers come in."""

from __future__ import annotations

from sqlalchemy.orm import Session

from pocketstack.db.models.compute import Flavor

# id, name, vcpus, ram (MiB), disk (GiB): Nova's classic defaults.
DEFAULT_FLAVORS = (
    ("1", "m1.tiny", 1, 512, 1),
    ("2", "m1.small", 1, 2048, 20),
    ("3", "m1.medium", 2, 4096, 40),
    ("4", "m1.large", 4, 8192, 80),
    ("5", "m1.xlarge", 8, 16384, 160),
)


def ensure_default_flavors(session: Session) -> None:
    for flavor_id, name, vcpus, ram, disk in DEFAULT_FLAVORS:
        if session.get(Flavor, flavor_id) is None:
            session.add(Flavor(id=flavor_id, name=name, vcpus=vcpus, ram=ram, disk=disk))
