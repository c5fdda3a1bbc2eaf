import errno
import os

import pytest

from pocketstack.host import disks, mounts, names

pytestmark = pytest.mark.root


@pytest.fixture
def disk(prefix, scratch):
    """``(image path, mount point)`` of a 1 GiB disk of the test's prefix; every loop device
    of the prefix is released afterwards, whatever happened."""
    image = os.path.join(scratch, disks.image_name(prefix, "a1b2c3d4-0000"))
    try:
        yield image, os.path.join(scratch, "disk")
    finally:
        disks.purge(prefix)


def _devices_of(prefix):
    return {device for device, backing in disks.loop_devices().items()
            if disks.owner(prefix, backing)}


def test_disk_is_sparse_limited_and_persistent(prefix, disk):
    image, point = disk
    disks.create(image, 1)
    assert os.path.getsize(image) == disks.GIB
    assert os.stat(image).st_blocks * 512 < 64 << 20  # sparse: metadata only
    disks.attach(image, point)
    disks.attach(image, point)  # idempotent
    assert mounts.is_mounted(point) and len(_devices_of(prefix)) == 1
    with open(os.path.join(point, "kept"), "w") as handle:
        handle.write("still here")
    fd = os.open(os.path.join(point, "big"), os.O_CREAT | os.O_WRONLY)
    try:
        with pytest.raises(OSError) as raised:
            os.posix_fallocate(fd, 0, 2 * disks.GIB)
    finally:
        os.close(fd)
    assert raised.value.errno == errno.ENOSPC
    assert disks.fragments(prefix) == {names.fragment("a1b2c3d4-0000")}

    disks.release(os.path.basename(image), os.path.dirname(os.path.dirname(image)))
    assert not mounts.is_mounted(point) and not _devices_of(prefix)
    disks.create(image, 1)  # an existing disk is kept, not re-formatted
    disks.attach(image, point)
    with open(os.path.join(point, "kept")) as handle:
        assert handle.read() == "still here"


def test_purge_finds_disks_by_name_even_when_deleted(prefix, disk):
    image, point = disk
    disks.create(image, 1)
    disks.attach(image, point)
    os.unlink(image)  # the data dir went first: the loop device still holds the file
    assert disks.fragments(prefix) == {names.fragment("a1b2c3d4-0000")}
    assert disks.fragments(prefix + "x") == set()  # another prefix never matches
    disks.purge(prefix)
    assert not mounts.is_mounted(point) and not _devices_of(prefix)
    disks.purge(prefix)  # idempotent


def test_a_failed_format_leaves_nothing(prefix, scratch):
    image = os.path.join(scratch, "missing-dir", disks.image_name(prefix, "x"))
    with pytest.raises(OSError):
        disks.create(image, 1)
    assert not os.path.exists(image) and not os.path.exists(image + ".partial")
