"""The load balancer driver seam: what the agent asks of a host's load balancers, and the
runtime statistics the API and the autoscaler read.

Specs are read from desired state by the agent; a driver never reads the state store. One
spec is a whole load balancer (its VIP, listeners, pools, members and health monitors):
the driver converges the host to it in one step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class LoadBalancerCapabilities:
    real_load_balancing: bool
    listener_protocols: tuple[str, ...] = ("HTTP", "TCP")
    pool_protocols: tuple[str, ...] = ("HTTP", "TCP")
    algorithms: tuple[str, ...] = ("ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP")
    monitor_types: tuple[str, ...] = ("HTTP", "TCP")


@dataclass(frozen=True)
class HealthMonitorSpec:
    """Checks every ``delay`` s (``timeout`` s each); a member is UP after ``max_retries``
    successes in a row and DOWN after ``max_retries_down`` failures. HTTP checks send
    ``http_method url_path`` and expect a status in ``expected_codes`` ("200", "200,202",
    "200-204"), as HTTP/``http_version`` ("1.0", "1.1") with ``domain_name`` as Host when
    given."""

    id: str
    type: str  # "HTTP" | "TCP"
    delay: int
    timeout: int
    max_retries: int
    max_retries_down: int = 3
    http_method: str = "GET"
    url_path: str = "/"
    expected_codes: str = "200"
    admin_state_up: bool = True
    http_version: str | None = None
    domain_name: str | None = None


@dataclass(frozen=True)
class MemberSpec:
    """A backend server. ``weight`` 0 takes no new connections (draining)."""

    id: str
    address: str
    protocol_port: int
    weight: int = 1
    admin_state_up: bool = True
    backup: bool = False
    monitor_address: str | None = None
    monitor_port: int | None = None


@dataclass(frozen=True)
class PoolSpec:
    id: str
    protocol: str  # "HTTP" | "TCP"
    lb_algorithm: str  # "ROUND_ROBIN" | "LEAST_CONNECTIONS" | "SOURCE_IP"
    admin_state_up: bool = True
    members: tuple[MemberSpec, ...] = ()
    health_monitor: HealthMonitorSpec | None = None


@dataclass(frozen=True)
class ListenerSpec:
    """Accepts ``protocol`` on the VIP's ``protocol_port`` and sends to ``default_pool_id``
    (None: connections are refused). Timeouts in milliseconds, as the API has them;
    ``connection_limit`` -1 is unlimited."""

    id: str
    protocol: str  # "HTTP" | "TCP"
    protocol_port: int
    default_pool_id: str | None = None
    admin_state_up: bool = True
    connection_limit: int = -1
    timeout_client_data: int = 50000
    timeout_member_connect: int = 5000
    timeout_member_data: int = 50000
    insert_headers: tuple[tuple[str, str], ...] = ()
    allowed_cidrs: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadBalancerSpec:
    """A load balancer whose VIP is a port on a tenant network: ``vip_address`` with
    ``prefix_length`` and the port's MAC, on the host side interface
    ``kernel_name(prefix, "port", vip_port_id)`` attached to the network's bridge (made by
    the network driver), routed via ``gateway`` (so replies reach floating IP clients)."""

    id: str
    name: str
    vip_port_id: str
    vip_network_id: str
    vip_address: str
    prefix_length: int
    mac_address: str
    gateway: str | None = None
    mtu: int = 1500
    admin_state_up: bool = True
    listeners: tuple[ListenerSpec, ...] = ()
    pools: tuple[PoolSpec, ...] = ()


# Member health as the host sees it.
MEMBER_STATUSES = ("UP", "DOWN", "DRAIN", "MAINT", "NO_CHECK")


@dataclass(frozen=True)
class MemberStats:
    current_sessions: int = 0
    total_sessions: int = 0
    status: str = "NO_CHECK"  # one of MEMBER_STATUSES


@dataclass(frozen=True)
class ListenerStats:
    active_connections: int = 0
    total_connections: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    request_errors: int = 0


@dataclass(frozen=True)
class LoadBalancerStats:
    """Counters of the load balancer's processes now serving (after a reload, the old
    one's count until it has finished its connections); ``request_rate`` is
    requests per second over the last second (HTTP listeners; new connections for TCP).
    ``members`` is keyed by member id; ``listeners`` by listener id."""

    active_connections: int = 0
    total_connections: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    request_errors: int = 0
    request_rate: float = 0.0
    members: dict[str, MemberStats] = field(default_factory=dict)
    listeners: dict[str, ListenerStats] = field(default_factory=dict)


class LoadBalancerDriver(Protocol):
    """``ensure`` is idempotent and converges an existing load balancer to its spec without
    dropping established connections (a reload, not a restart); ``destroy`` succeeds when
    the load balancer is already gone. A method that fails part-way raises DriverError
    (``permanent=False`` when retrying may help) and may leave a partial load balancer
    that the next ``ensure`` of the same spec converges or ``destroy`` removes.
    """

    capabilities: LoadBalancerCapabilities

    def ensure(self, spec: LoadBalancerSpec) -> None:
        """Make the load balancer serve exactly ``spec``. Temporary DriverError while its
        network is not on the host."""

    def destroy(self, loadbalancer_id: str) -> None:
        """Stop it and remove everything it had on the host."""

    def is_running(self, loadbalancer_id: str) -> bool:
        """Whether the load balancer is serving on this host now."""

    def stats(self, loadbalancer_id: str) -> LoadBalancerStats:
        """Its counters and member health; all zero (no members) when it is not running."""

    def list_loadbalancers(self) -> set[str]:
        """IDs (or, for objects whose ID is lost, name fragments that ``destroy`` accepts)
        of every load balancer of this deployment on the host, for mark and sweep."""
