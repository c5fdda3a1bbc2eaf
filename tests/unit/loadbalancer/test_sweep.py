"""The sweep destroys only load balancers no row names, whether the host lists them by id
or by the fragment of their id its kernel names keep."""

from pocketstack.agent.loadbalancers import LoadBalancerReconciler, Repairs
from pocketstack.host import names

STALE = "0badc0de-0000-4000-8000-000000000001"
STALE_FRAGMENT = "f00dfeed"


class ListingDriver:
    """Lists what it is given; records what is destroyed."""

    def __init__(self, listed: set[str]) -> None:
        self.listed, self.destroyed = listed, []

    def list_loadbalancers(self) -> set[str]:
        return set(self.listed)

    def destroy(self, key: str) -> None:
        self.destroyed.append(key)


def test_sweep_compares_by_fragment(deployment, lb, paused):
    live = lb["id"]
    driver = ListingDriver({names.fragment(live), live, STALE, STALE_FRAGMENT})
    LoadBalancerReconciler(deployment.cloud, driver, Repairs()).sweep()
    assert sorted(driver.destroyed) == sorted([STALE, STALE_FRAGMENT])
