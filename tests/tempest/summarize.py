"""Summarize a Tempest subunit stream: counts, passed/failed lists, failures by cause.

Usage (with the tempest venv's Python, which has python-subunit):
    summarize.py RESULTS.subunit OUT_DIR

Writes OUT_DIR/passed.txt and OUT_DIR/failed.txt (test names without the [id-...] tags),
OUT_DIR/failures.txt (each failure's last traceback lines) and prints the counts and the
failures grouped by their final error line, one example test per group.
"""

import collections
import pathlib
import re
import sys

import subunit
import testtools

NAME = re.compile(r"\[.*\]$")


class Collector(testtools.StreamResult):
    """Keeps the final status and the traceback of every test id."""

    def __init__(self):
        super().__init__()
        self.final = {}
        self.details = collections.defaultdict(str)

    def status(self, test_id=None, test_status=None, file_name=None, file_bytes=None,
               **_ignored):
        if test_id is None:
            return
        if test_status in ("success", "fail", "skip", "xfail", "uxsuccess"):
            self.final[test_id] = test_status
        if file_name in ("traceback", "reason") and file_bytes:
            self.details[test_id] += bytes(file_bytes).decode("utf-8", "replace")


def cause(text: str) -> str:
    """The error line of a traceback, with ids and addresses blurred so causes group."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    picked = next((line for line in reversed(lines)
                   if re.match(r"^\w[\w.]*(Error|Exception|Failure|Conflict|NotFound|"
                               r"BadRequest|Forbidden|Unauthorized|Mismatch|Timeout|"
                               r"ServerFault|UnexpectedResponseCode|InvalidHTTPResponseBody|"
                               r"UnexpectedContentType|IdentityError|"
                               r"BuildErrorException|InvalidConfiguration)\b", line)),
                  lines[-1] if lines else "")
    picked = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|[0-9a-f]{32}", "<id>", picked)
    return picked[:300]


def main() -> None:
    stream_path, out_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    collector = Collector()
    with stream_path.open("rb") as stream:
        subunit.ByteStreamToStreamResult(stream, non_subunit_name="stdout").run(collector)
    by_status = collections.defaultdict(list)
    for test_id, status in collector.final.items():
        by_status[status].append(test_id)
    names = {status: sorted({NAME.sub("", t) for t in ids}) for status, ids in by_status.items()}
    (out_dir / "passed.txt").write_text("".join(f"{n}\n" for n in names.get("success", [])))
    (out_dir / "failed.txt").write_text("".join(f"{n}\n" for n in names.get("fail", [])))
    groups = collections.defaultdict(list)
    with (out_dir / "failures.txt").open("w") as report:
        for test_id in sorted(by_status.get("fail", [])):
            text = collector.details[test_id]
            groups[cause(text)].append(test_id)
            tail = "\n".join(text.strip().splitlines()[-12:])
            report.write(f"=== {test_id}\n{tail}\n\n")
    print(f"passed {len(by_status['success'])}  failed {len(by_status['fail'])}  "
          f"skipped {len(by_status['skip'])}")
    for error, tests in sorted(groups.items(), key=lambda item: -len(item[1])):
        print(f"{len(tests):4d}  {error}\n      e.g. {tests[0]}")


if __name__ == "__main__":
    main()
