"""Builders for the namespace driver tests: instance specs, commands inside, leftovers."""

from __future__ import annotations

import os

from pocketstack.drivers.compute.base import InstanceSpec, NicSpec
from pocketstack.drivers.compute.namespace import NamespaceComputeDriver
from pocketstack.host import cgroups, instance, links, names, netns


def spec(instance_id: str, layers: list[str], **extra) -> InstanceSpec:
    values = {"id": instance_id, "name": f"vm-{instance_id[:4]}",
              "hostname": f"host-{instance_id[:4]}", "image_id": os.path.basename(layers[0]),
              "vcpus": 1, "memory_mb": 256, "disk_gb": 0, "image_layers": tuple(layers),
              "host_usr": True}
    return InstanceSpec(**{**values, **extra})


def nic(port_id: str, network_id: str, ip: str) -> NicSpec:
    return NicSpec(port_id=port_id, mac_address="fa:16:3e:00:00:" + ip.rsplit(".", 1)[1].zfill(2),
                   ip_address=ip, prefix_length=24, gateway="10.9.0.1", network_id=network_id)


def inside(driver: NamespaceComputeDriver, instance_id: str, script: str, timeout: float = 30):
    """Run ``sh -c script`` in the instance (its namespaces, root and cgroup)."""
    return instance.execute(driver._dir(instance_id), ["sh", "-c", script],
                            cgroup=driver._cgroup(instance_id), timeout=timeout)


def leftovers(driver: NamespaceComputeDriver, prefix: str, port_ids=()) -> dict:
    """Everything of ``prefix`` the compute driver could have left on the host (empty =
    clean), with the host ends of the veths of ``port_ids``. Bridges, router namespaces
    and router legs belong to the network driver."""
    found = {
        "instances": sorted(driver.list_instances()),
        "netns": netns.list_names(prefix, "instance_ns"),
        "cgroups": cgroups.list_names(prefix),
        "links": [name for name in links.list_links(prefix, kind="port")
                  if name in {names.kernel_name(prefix, "port", p) for p in port_ids}],
        "dirs": sorted(os.listdir(driver.instances_dir)),
    }
    return {key: value for key, value in found.items() if value}
