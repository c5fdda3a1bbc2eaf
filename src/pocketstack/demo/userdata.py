"""User-data for the web game's tiers, rendered from ``examples/webgame``.

The scripts there carry ``@NAME@`` fields (primary's fixed IP, passwords, the game's
files). ``render`` fills them and refuses to leave one empty, so a script never boots
with a literal ``@PRIMARY_IP@`` in it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

FIELD = re.compile(r"@([A-Z][A-Z0-9_]*)@")
GAME_END = "WEBGAME_FILE_END"


class TemplateError(ValueError):
    pass


def examples_dir() -> Path:
    """The web game's files, ``$POCKETSTACK_WEBGAME_DIR`` if set: else the copy of
    ``examples/webgame`` installed with the package (in a checkout, a link to it)."""
    configured = os.environ.get("POCKETSTACK_WEBGAME_DIR")
    path = Path(configured) if configured else Path(__file__).parent / "webgame_files"
    if not (path / "php.sh").is_file():
        raise TemplateError(f"{path} holds no web game (php.sh); set POCKETSTACK_WEBGAME_DIR "
                            "to the examples/webgame directory of a pocketstack checkout")
    return path


def render(text: str, values: dict[str, str]) -> str:
    """``text`` with every ``@NAME@`` replaced by ``values[NAME]``; all must be given."""
    missing = sorted({name for name in FIELD.findall(text) if name not in values})
    if missing:
        raise TemplateError(f"no value for {', '.join(missing)}")
    return FIELD.sub(lambda match: values[match.group(1)], text)


def game_files(directory: Path) -> str:
    """Shell that writes each file of ``directory`` into the current directory."""
    parts = []
    for path in sorted(directory.iterdir()):
        text = path.read_text()
        if GAME_END in text or FIELD.search(text):
            raise TemplateError(f"{path} contains {GAME_END} or an @NAME@ field")
        parts.append(f"cat >{path.name} <<'{GAME_END}'\n{text.rstrip()}\n{GAME_END}")
    return "\n".join(parts)


def primary(db_password: str, repl_password: str) -> str:
    return render((examples_dir() / "mariadb-primary.sh").read_text(),
                  {"DB_PASSWORD": db_password, "REPL_PASSWORD": repl_password})


def replica(primary_ip: str, repl_password: str) -> str:
    return render((examples_dir() / "mariadb-replica.sh").read_text(),
                  {"PRIMARY_IP": primary_ip, "REPL_PASSWORD": repl_password})


def php(primary_ip: str, replica_ip: str, db_password: str) -> str:
    root = examples_dir()
    return render((root / "php.sh").read_text(), {
        "PRIMARY_IP": primary_ip, "REPLICA_IP": replica_ip, "DB_PASSWORD": db_password,
        "GAME_FILES": game_files(root / "game")})
