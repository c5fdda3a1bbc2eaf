"""Glance's tables: images, their extra properties, tags and members.

Extra properties, tags and members are rows of their own (not JSON) so that list filters
(``?tag=``, ``?foo=bar``, ``member_status``) stay plain SQL joins on any database.
An image's data lives in the file store (``services/image/store.py``), named by its id.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pocketstack.db.base import Base, HasId, Timestamps


class Image(HasId, Timestamps, Base):
    __tablename__ = "images"
    name: Mapped[str | None] = mapped_column(String(255), default=None, index=True)
    owner: Mapped[str | None] = mapped_column(String(255), default=None, index=True)
    status: Mapped[str] = mapped_column(String(30), default="queued", index=True)
    visibility: Mapped[str] = mapped_column(String(20), default="shared", index=True)
    protected: Mapped[bool] = mapped_column(Boolean, default=False)
    os_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    container_format: Mapped[str | None] = mapped_column(String(32), default=None)
    disk_format: Mapped[str | None] = mapped_column(String(32), default=None)
    min_disk: Mapped[int] = mapped_column(Integer, default=0)
    min_ram: Mapped[int] = mapped_column(Integer, default=0)
    size: Mapped[int | None] = mapped_column(BigInteger, default=None)
    virtual_size: Mapped[int | None] = mapped_column(BigInteger, default=None)
    checksum: Mapped[str | None] = mapped_column(String(32), default=None)
    os_hash_algo: Mapped[str | None] = mapped_column(String(64), default=None)
    os_hash_value: Mapped[str | None] = mapped_column(String(128), default=None)

    extra: Mapped[list[ImageProperty]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", passive_deletes=True
    )
    tag_rows: Mapped[list[ImageTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", passive_deletes=True
    )

    @property
    def properties(self) -> dict[str, str]:
        return {row.name: row.value for row in self.extra}

    @property
    def tags(self) -> list[str]:
        return sorted(row.value for row in self.tag_rows)


class ImageProperty(Base):
    __tablename__ = "image_properties"
    image_id: Mapped[str] = mapped_column(
        ForeignKey("images.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(255), primary_key=True, index=True)
    value: Mapped[str] = mapped_column(Text)


class ImageTag(Base):
    __tablename__ = "image_tags"
    image_id: Mapped[str] = mapped_column(
        ForeignKey("images.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str] = mapped_column(String(255), primary_key=True, index=True)


class ImageMember(Timestamps, Base):
    """A project an image is shared with; ``status`` is pending, accepted or rejected."""

    __tablename__ = "image_members"
    image_id: Mapped[str] = mapped_column(
        ForeignKey("images.id", ondelete="CASCADE"), primary_key=True
    )
    member: Mapped[str] = mapped_column(String(255), primary_key=True, index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")


class ImageTask(HasId, Timestamps, Base):
    """An interoperable import of an image's data (Glance's ``api_image_import`` task).

    ``status`` is pending, processing, success or failure; ``method`` glance-direct (data
    already staged) or web-download (``uri``, loopback only); ``message`` says why it failed.
    """

    __tablename__ = "image_tasks"
    image_id: Mapped[str] = mapped_column(
        ForeignKey("images.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(32), default="api_image_import")
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    method: Mapped[str] = mapped_column(String(32))
    uri: Mapped[str | None] = mapped_column(Text, default=None)
    message: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str | None] = mapped_column(String(255), default=None)
    user_id: Mapped[str] = mapped_column(String(64), default="")
    request_id: Mapped[str | None] = mapped_column(String(64), default=None)
