"""Root inside an instance (a user-data script, a child of the instance's init, the way
any process in it starts): it sees only its own processes, changes only its own
netns's nftables, has no host disk to mount (no device node, and cannot make one), cannot
reach the control plane, and reads the image's files, not the host's. What it CAN do is
printed (``FINDING``) for docs/security.md."""

from __future__ import annotations

import time

import pytest

from pocketstack.host import links, netns

from ..network.helpers import listener
from .conftest import API_PORT, N, api, boot, floating_ip, inside, ok, wait_active

pytestmark = pytest.mark.root

HOST_DISK = "254:0"  # only probed: the test reads, never writes, whatever it finds

PROBE = """#!/bin/sh
out=/root/probe.txt
p() { printf '%s=%s\\n' "$1" "$(sh -c "$2" 2>&1 | tr '\\n' ' ')" >> $out; }
p pids "ls /proc | grep -c '^[0-9]'"
p pid1 "tr '\\0' ' ' < /proc/1/cmdline"
p caps "grep CapEff /proc/self/status"
p capbnd "grep CapBnd /proc/self/status"
p dev "ls /dev | tr '\\n' ' '"
p nft_before "nft list ruleset | wc -l"
p nft_add "nft add table inet probe && echo added"
p mount_vda "mount /dev/vda /mnt && echo MOUNTED; umount /mnt"
p mknod "mknod /tmp/disk b @MAJOR@ @MINOR@ && echo MADE"
p read_disk "head -c 512 /tmp/disk | wc -c"
p mount_made "mount -o ro /tmp/disk /mnt && echo MOUNTED; umount /mnt"
p core_pattern_rw "v=$(cat /proc/sys/kernel/core_pattern); echo \\"$v\\" > /proc/sys/kernel/core_pattern && echo WROTE"
p remount_sys "mount -o remount,rw /sys && echo REMOUNTED; mount -o remount,ro /sys"
p mount_tmpfs "mount -t tmpfs x /mnt && echo MOUNTED; umount /mnt"
p sys_net "ls /sys/class/net | tr '\\n' ' '"
p sys_block "ls /sys/block | tr '\\n' ' '"
p dmesg "dmesg | wc -l"
p kmsg "head -c 1 /dev/kmsg | wc -c"
p sysrq_w "test -w /proc/sysrq-trigger && echo writable-by-mode"
p datadir "test -e @DATA@ && echo EXISTS || echo absent"
p shadow "cat /etc/shadow | head -c 200"
echo done >> $out
"""


def test_root_in_an_instance_stays_in_it(cloud, prefix):
    deployment, host = cloud
    demo = api(deployment, "demo", "demo")
    private = ok(demo.get(f"{N}/networks?name=private"))["networks"][0]["id"]
    data_dir = str(deployment.cloud.settings.data_dir)
    major, minor = HOST_DISK.split(":")
    server = boot(demo, "probe", private,
                  user_data=PROBE.replace("@MAJOR@", major).replace("@MINOR@", minor)
                  .replace("@DATA@", data_dir))
    address = wait_active(demo, server)["addresses"]["private"][0]["addr"]
    fip = floating_ip(demo, server)
    host_nft = netns.execute(host, ["nft", "list", "ruleset"]).stdout
    deadline = time.monotonic() + 30
    while "done" not in (text := inside(deployment, server, "cat /root/probe.txt").stdout):
        assert time.monotonic() < deadline, text
        time.sleep(0.2)
    found = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    print("\nFINDING " + "\nFINDING ".join(f"{k}: {v.strip()}" for k, v in found.items()))

    # processes: only its own (init as PID 1, the probe and its children)
    assert int(found["pids"]) < 10 and "pocketstack.host.init" in found["pid1"]
    # nftables: its own netns's (empty), and a table it adds stays there
    assert found["nft_before"].split()[-1] == "0"  # empty, or not even readable
    assert netns.execute(host, ["nft", "list", "ruleset"]).stdout == host_nft
    assert "probe" not in netns.execute(host, ["nft", "list", "tables"]).stdout
    # disks: no host block device node; making one and mounting it fails
    assert not {"vda", "sda", "nvme0n1", "mem", "kmem", "port"} & set(found["dev"].split())
    assert "MOUNTED" not in found["mount_vda"]
    assert "MADE" not in found["mknod"], "root in an instance can make device nodes"
    assert "MOUNTED" not in found["mount_made"]
    assert found["read_disk"].split()[-1] == "0"
    # capabilities: the bounding set has no SYS_ADMIN (21), MKNOD (27), NET_ADMIN (12),
    # SYS_MODULE (16), SYS_RAWIO (17), SYS_PTRACE (19), DAC_READ_SEARCH (2)
    bounding = int(found["capbnd"].split()[-1], 16)
    assert not bounding & sum(1 << bit for bit in (2, 12, 16, 17, 19, 21, 27)), hex(bounding)
    # host kernel settings and filesystems: no write
    assert "WROTE" not in found["core_pattern_rw"]
    assert "REMOUNTED" not in found["remount_sys"]
    # host files: the data dir does not exist; /etc/shadow is the image's
    assert found["datadir"].strip() == "absent"
    with open("/etc/shadow") as handle:
        host_shadow = handle.read()
    assert found["shadow"].strip()[:40] not in host_shadow or not found["shadow"].strip()
    assert "$" not in found["shadow"]  # no password hashes in the image
    # the interfaces it sees are its own
    assert found["sys_net"].split() == ["eth0", "lo"]
    assert not links.list_links(prefix, None)  # nothing of the prefix in pytest's netns

    # control plane: the API port on the host (172.24.4.1) and the floating IP's gateway
    connect = ("python3 -c 'import socket;socket.create_connection((\"{}\", " + str(API_PORT)
               + "), timeout=2);print(1)'")
    with listener(host, "0.0.0.0", API_PORT):
        for target in ("172.24.4.1", address.rsplit(".", 1)[0] + ".1", fip):
            result = inside(deployment, server, connect.format(target))
            assert result.returncode != 0 and "1" not in result.stdout, target
