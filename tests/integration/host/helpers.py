"""Shared builders for the host integration tests: a tiny image, instances, timing."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from contextlib import contextmanager

from pocketstack.host import instance, links, mounts, names, netns

PASSWD = ("root:x:0:0:root:/root:/bin/sh\n"
          "sshd:x:100:65534::/run/sshd:/usr/sbin/nologin\n"
          "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
GROUP = "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n"


def make_image(scratch: str) -> str:
    """A minimal root (own /etc, merged-/usr links, empty /usr) as an extracted layer."""
    tree = os.path.join(scratch, "image-tree")
    for sub in ("etc", "root", "var/lib", "usr", "home"):
        os.makedirs(os.path.join(tree, sub), exist_ok=True)
    for link in ("bin", "sbin", "lib", "lib64"):
        if not os.path.lexists(os.path.join(tree, link)):
            os.symlink(f"usr/{link}", os.path.join(tree, link))
    with open(os.path.join(tree, "etc/passwd"), "w") as handle:
        handle.write(PASSWD)
    with open(os.path.join(tree, "etc/group"), "w") as handle:
        handle.write(GROUP)
    tarball = os.path.join(scratch, "image.tar")
    subprocess.run(["tar", "-cf", tarball, "-C", tree, "."], check=True)
    layer = os.path.join(scratch, "layers", "base")
    mounts.extract_layer(tarball, layer)
    return layer


def spec_for(prefix: str, scratch: str, instance_id: str, lowers: list[str],
             **extra) -> instance.InstanceSpec:
    """An instance spec with all its dirs under the scratch dir."""
    name = names.kernel_name(prefix, "instance", instance_id)
    run_dir = os.path.join(scratch, "run", name)
    state = os.path.join(scratch, "state", name)
    extra.setdefault("hostname", f"vm-{instance_id}")
    return instance.InstanceSpec(
        run_dir=run_dir, netns=names.kernel_name(prefix, "instance_ns", instance_id),
        lowers=lowers, upper=f"{state}/upper", work=f"{state}/work", host_usr=True,
        usr_upper=f"{state}/usr/upper", usr_work=f"{state}/usr/work",
        cgroup=names.kernel_name(prefix, "cgroup", instance_id), **extra)


def plug(prefix: str, host_ns: str | None, bridge: str, port_id: str, target_ns: str,
         cidr: str, gateway: str | None = None, inner: str = "eth0") -> str:
    """A port of ``target_ns`` on ``bridge``; returns the host-side interface name."""
    host_end = names.kernel_name(prefix, "port", port_id)
    links.ensure_port(host_end, bridge, target_ns, inner, mac=names.mac_for_ip(cidr),
                      cidrs=[cidr], gateway=gateway, ns=host_ns)
    return host_end


def tcp_connect(ns: str | None, address: str, port: int, timeout: float = 1.0) -> bool:
    """Whether a TCP connect from ``ns`` to ``address:port`` succeeds within ``timeout``."""
    def attempt() -> bool:
        try:
            with socket.create_connection((address, port), timeout=timeout):
                return True
        except OSError:
            return False

    return netns.call(ns, attempt)


def wait_tcp(ns: str | None, address: str, port: int, timeout: float = 10.0) -> float:
    """Seconds until ``address:port`` accepts from ``ns``; raises TimeoutError."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if tcp_connect(ns, address, port, timeout=0.2):
            return time.monotonic() - start
        time.sleep(0.005)
    raise TimeoutError(f"{address}:{port} not reachable from {ns}")


def http_get(ns: str | None, address: str, port: int = 80, timeout: float = 2.0) -> str:
    def get() -> str:
        with socket.create_connection((address, port), timeout=timeout) as conn:
            conn.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
            return b"".join(chunks).decode(errors="replace")

    return netns.call(ns, get)


@contextmanager
def peer_recorder(ns: str | None, address: str, port: int):
    """A TCP listener in ``ns``; yields a function returning the next client's source IP."""
    server = netns.call(ns, socket.create_server, (address, port))
    server.settimeout(5)

    def next_peer() -> str:
        conn, peer = server.accept()
        conn.close()
        return peer[0]

    try:
        yield next_peer
    finally:
        server.close()


def ping(ns: str, address: str) -> bool:
    result = netns.execute(ns, ["ping", "-c", "1", "-W", "2", address], check=False)
    return result.returncode == 0
