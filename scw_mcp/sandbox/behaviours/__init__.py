"""What the generic engine cannot know: behaviours of a few routes, by product, and the seed.

Each behaviour is registered for one route of the table (verb + path template) and returns a
Reply, or None to let the generic engine answer; `on_remove` hooks run when an item is gone
(deleted, or taken by a cascade). Keep each module to behaviour a user sees, and say in its
docstring what it was checked against (cassettes, docs, SDK).
"""

from __future__ import annotations

from . import block, domain, iam, instance, ipam, k8s, lb, marketplace, rdb, vpc  # noqa: F401 - they register
from ._base import BEHAVIOURS, ON_REMOVE
from .seed import load_seed, seed

__all__ = ["BEHAVIOURS", "ON_REMOVE", "load_seed", "seed"]
