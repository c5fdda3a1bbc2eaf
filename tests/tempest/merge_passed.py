"""Add the tests of Tempest ``passed.txt`` files to ``include.txt`` (kept sorted, no duplicates).

Usage: merge_passed.py PASSED.txt...   (standard library only)

Take ``passed.txt`` from runs whose classes had no failed setUpClass/tearDownClass: those
would fail the guarded run (see README.md).
"""

import pathlib
import sys

INCLUDE = pathlib.Path(__file__).with_name("include.txt")


def main() -> None:
    lines = INCLUDE.read_text().splitlines()
    header = [line for line in lines if line.startswith("#") or not line.strip()]
    patterns = {line for line in lines if line.strip() and not line.startswith("#")}
    for path in sys.argv[1:]:
        for name in pathlib.Path(path).read_text().split():
            patterns.add(f"^{name}\\[")  # names are letters, digits, '_' and '.'s
    INCLUDE.write_text("\n".join([*header, *sorted(patterns)]) + "\n")
    print(f"{len(patterns)} tests in {INCLUDE}")


if __name__ == "__main__":
    main()
