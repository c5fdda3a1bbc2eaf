"""The regular expressions of ``http_regex`` metrics: which ones the cloud agrees to run.

A pattern is written in Python's ``re`` syntax and run by the ``regex`` module (its
``re``-compatible V0 mode), which takes a timeout and lets other threads run while it
matches. What is refused, and why:

- more than ``MAX_LENGTH`` characters;
- anything ``re`` does not compile (so none of ``regex``'s extensions: ``\\p{..}``,
  ``(?V1)``...), and a ``{`` that is not a repeat count (``regex`` would read ``{e<=1}``
  as fuzzy matching);
- counted repeats whose product along any nesting passes ``MAX_EXPANSION``: ``regex``
  expands them when it compiles (``(a{1000}){1000}`` takes 0.7 s and 270 MB, and
  ``(a{65535}){65535}`` all the memory there is);
- no group: group 1 is the number.

Catastrophic backtracking is not refused here (it cannot be told from the syntax): the
reader's timeout stops it.
"""

from __future__ import annotations

import re
import re._constants as sre
import re._parser as sre_parse
from functools import lru_cache

from pocketstack.errors import BadRequest

MAX_LENGTH = 256
MAX_EXPANSION = 1000
REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)
REPEAT_COUNT = re.compile(r"\{\d*(,\d*)?\}")


def check(pattern) -> str:
    """``pattern`` when the cloud agrees to run it; BadRequest saying what to fix."""
    problem = problem_of(pattern) if isinstance(pattern, str) else \
        "An http_regex metric needs a regex whose group 1 is the number."
    if problem:
        raise BadRequest(problem)
    return pattern


@lru_cache(maxsize=256)
def problem_of(pattern: str) -> str | None:
    """Why ``pattern`` is refused (a message for the user), or None."""
    if len(pattern) > MAX_LENGTH:
        return f"The metric's regex is longer than {MAX_LENGTH} characters."
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"The metric's regex does not compile: {exc}."
    if _stray_brace(pattern):
        return ("The metric's regex has a '{' that is not a repeat count such as {2} or "
                "{1,3}: write \\{ for the character.")
    if _expansion(parsed, 1) > MAX_EXPANSION:
        return (f"The metric's regex repeats too much: counted repeats multiply to more than "
                f"{MAX_EXPANSION} (e.g. (a{{100}}){{100}}); use + or * instead.")
    if parsed.state.groups < 2:
        return ("The metric's regex needs a group, e.g. '(\\d+) requests': group 1 is the "
                "number.")
    return None


def _stray_brace(pattern: str) -> bool:
    """Whether a ``{`` outside a character class and not escaped starts no repeat count."""
    index, in_class = 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[index + 1:index + 2] == "]":
                index += 1  # a ']' first in a class is a member
        elif char == "{" and not REPEAT_COUNT.match(pattern, index):
            return True
        index += 1
    return False


def _expansion(items, factor: int) -> int:
    """The largest product of counted repeats along any nesting in ``items``."""
    worst = factor
    for op, value in items:
        if op in REPEATS:
            low, high, inner = value
            count = low if high == sre.MAXREPEAT else high
            worst = max(worst, _expansion(inner, factor * max(count, 1)))
        else:
            for child in _children(value):
                worst = max(worst, _expansion(child, factor))
        if worst > MAX_EXPANSION:
            return worst
    return worst


def _children(value):
    """The sub-patterns inside a parse node's value (groups, branches, assertions)."""
    if isinstance(value, sre_parse.SubPattern):
        yield value
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _children(item)
