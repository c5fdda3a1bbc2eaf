"""What a demo made, undone in reverse order: every step runs even when one fails."""

from __future__ import annotations

from collections.abc import Callable

from pocketstack.demo.client import DemoError


class Teardown:
    """A stack of (what, undo) pairs; ``run()`` undoes them newest first."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.steps: list[tuple[str, Callable[[], None]]] = []

    def push(self, what: str, undo: Callable[[], None]) -> None:
        self.steps.append((what, undo))

    def run(self) -> list[str]:
        """Undo everything; the failures, each as "what: why" (empty when all went)."""
        failures = []
        while self.steps:
            what, undo = self.steps.pop()
            self.say(f"deleting {what}")
            try:
                undo()
            except (DemoError, OSError) as error:
                failures.append(f"{what}: {error}")
                self.say(f"could not delete {what}: {error}")
        return failures
