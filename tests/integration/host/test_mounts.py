import os
import subprocess

import pytest

from pocketstack.host import mounts

pytestmark = pytest.mark.root


def _layer_from(scratch, name, files):
    tree = os.path.join(scratch, f"{name}-tree")
    for path, content in files.items():
        os.makedirs(os.path.dirname(os.path.join(tree, path)), exist_ok=True)
        with open(os.path.join(tree, path), "w") as handle:
            handle.write(content)
    tarball = os.path.join(scratch, f"{name}.tar")
    subprocess.run(["tar", "-cf", tarball, "-C", tree, "."], check=True)
    layer = os.path.join(scratch, "layers", name)
    mounts.extract_layer(tarball, layer)
    return layer


def test_overlay_snapshot_keeps_whiteouts_and_opaque_dirs(scratch):
    base = _layer_from(scratch, "base", {"etc/keep": "k", "etc/gone": "g", "data/old": "o"})
    root, upper, work = (os.path.join(scratch, d) for d in ("root", "upper", "work"))
    mounts.mount_root(root, [base], upper, work)
    mounts.mount_root(root, [base], upper, work)  # idempotent
    try:
        os.remove(f"{root}/etc/gone")
        subprocess.run(["rm", "-rf", f"{root}/data"], check=True)
        os.mkdir(f"{root}/data")
        with open(f"{root}/data/new", "w") as handle:
            handle.write("n")
    finally:
        mounts.unmount_root(root)
    assert not mounts.is_mounted(root)
    snap = os.path.join(scratch, "snap.tar")
    mounts.snapshot(upper, snap)
    layer = os.path.join(scratch, "layers", "snap")
    mounts.extract_layer(snap, layer)
    assert os.major(os.lstat(f"{layer}/etc/gone").st_rdev) == 0  # a whiteout
    assert os.getxattr(f"{layer}/data", "trusted.overlay.opaque") == b"y"
    stacked = os.path.join(scratch, "root2")
    mounts.mount_root(stacked, [layer, base], f"{scratch}/up2", f"{scratch}/wk2")
    try:
        assert sorted(os.listdir(f"{stacked}/etc")) == ["keep"]
        assert os.listdir(f"{stacked}/data") == ["new"]
    finally:
        mounts.unmount_root(stacked)


def test_host_usr_is_a_lower_layer_and_usr_changes_are_snapshotted(scratch):
    base = _layer_from(scratch, "base", {"etc/hostname": "x", "usr/.keep": ""})
    root = os.path.join(scratch, "root")
    mounts.mount_root(root, [base], f"{scratch}/up", f"{scratch}/wk", host_usr=True,
                      usr_upper=f"{scratch}/usr-up", usr_work=f"{scratch}/usr-wk")
    try:
        assert os.path.exists(f"{root}/usr/bin/python3")
        assert not os.path.exists(f"{root}/etc/shadow")
        with open(f"{root}/usr/local/added", "w") as handle:
            handle.write("a")
    finally:
        mounts.unmount_root(root)
    assert not os.path.exists("/usr/local/added")
    snap = os.path.join(scratch, "snap.tar")
    mounts.snapshot(f"{scratch}/up", snap, usr_upper=f"{scratch}/usr-up")
    listing = subprocess.run(["tar", "-tf", snap], capture_output=True, text=True,
                             check=True).stdout
    assert "./usr/local/added" in listing.split()
