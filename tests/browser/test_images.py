"""Uploading an image from the browser (with its progress bar), then deleting it."""

from __future__ import annotations

import gzip
import io
import tarfile

from playwright.sync_api import Page, expect

from tests.browser.dashboard import dialog, go, login, row, wait_status


def small_rootfs(path) -> int:
    """A gzip tar of a few files, with incompressible padding so the upload takes a while."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, data in (("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n"),
                           ("var/padding", bytes(range(256)) * 4096 * 8)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path.write_bytes(gzip.compress(raw.getvalue()))
    return path.stat().st_size


# The highest value any <progress> showed (its value attribute reflects the property).
RECORD_PROGRESS = """() => {
  window.progressSeen = 0;
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.target.tagName === "PROGRESS") {
        window.progressSeen = Math.max(window.progressSeen, change.target.value);
      }
    }
  }).observe(document.body, { attributes: true, subtree: true, attributeFilter: ["value"] });
}"""


def test_upload_shows_progress_and_the_image_becomes_active(page: Page, cloud, tmp_path):
    tarball = tmp_path / "tiny.tar.gz"
    small_rootfs(tarball)
    login(page, "demo", cloud.password)
    go(page, "Images")
    page.get_by_role("button", name="Upload image").click()
    box = dialog(page, "Upload image")
    box.get_by_label("Name").fill("tiny")
    box.get_by_label("File").set_input_files(str(tarball))
    page.evaluate(RECORD_PROGRESS)
    box.get_by_role("button", name="Upload").click()
    expect(box).to_be_hidden()
    wait_status(page, "tiny", "ACTIVE")
    assert page.evaluate("window.progressSeen") == 100
    expect(row(page, "tiny")).to_contain_text("private")
    row(page, "tiny").get_by_role("button", name="Delete tiny").click()
    confirm = dialog(page, "Delete image tiny?")
    confirm.get_by_role("button", name="Delete").click()
    expect(row(page, "tiny")).to_have_count(0)


def test_an_upload_without_a_file_is_refused_before_sending(page: Page, cloud):
    login(page, "demo", cloud.password)
    go(page, "Images")
    page.get_by_role("button", name="Upload image").click()
    box = dialog(page, "Upload image")
    box.get_by_label("Name").fill("nofile")
    box.get_by_role("button", name="Upload").click()
    expect(box).to_be_visible()
    assert box.get_by_label("File").evaluate("input => !input.validity.valid")
    box.get_by_role("button", name="Cancel").click()
    expect(row(page, "nofile")).to_have_count(0)
