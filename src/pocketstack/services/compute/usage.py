"""What a project's servers use, for quotas and limits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pocketstack.db.models.compute import Server


def project_usage(session: Session, project_id: str) -> dict[str, int]:
    """``{"instances", "cores", "ram"}`` used by every server of ``project_id`` that still
    exists (a server being deleted counts until its row is gone, as in Nova)."""
    rows = session.execute(select(Server.flavor).where(Server.project_id == project_id)).all()
    flavors = [row.flavor for row in rows]
    return {
        "instances": len(flavors),
        "cores": sum(int(flavor.get("vcpus", 0)) for flavor in flavors),
        "ram": sum(int(flavor.get("ram", 0)) for flavor in flavors),
    }

