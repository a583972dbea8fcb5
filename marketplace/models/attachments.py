"""Attachments: photos and PDFs kept as evidence on a record (台账 practice).

A row names its record by kind and id (a pair activity, a meeting, a claim's progress,
a service record, a wish, a hotline ticket); the bytes live behind the storage
interface (``services/attachments/storage.py``) under a key the app chose, never a
path from the upload. Images are stored re-encoded, without EXIF, with a thumbnail.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db
from marketplace.models._common import enum_check, utcnow

# record kind -> what the record is called on pages
RECORD_KINDS = {
    "pair_activity": "对接活动",
    "meeting": "会议",
    "claim": "项目进展",
    "service_record": "服务记录",
    "wish": "微心愿",
    "ticket": "热线服务",
    "fund_entry": "经费支出票据",
}
CONTENT_TYPES = {
    "image/jpeg": "JPEG 图片",
    "image/png": "PNG 图片",
    "image/webp": "WebP 图片",
    "application/pdf": "PDF 文档",
}


class Attachment(db.Model):
    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint(enum_check("record_kind", RECORD_KINDS), name="record_kind"),
        CheckConstraint(enum_check("content_type", CONTENT_TYPES), name="content_type"),
        CheckConstraint("bytes > 0", name="bytes_positive"),
        Index("ix_attachment_record", "record_kind", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)
    thumbnail_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    bytes: Mapped[int]
    original_name: Mapped[str] = mapped_column(String(200), default="")
    # Shown on public pages too (a fulfilled wish's photo the community chose to show).
    is_public: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def type_label(self) -> str:
        return CONTENT_TYPES.get(self.content_type, self.content_type)
