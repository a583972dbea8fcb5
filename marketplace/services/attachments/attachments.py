"""Attachments on records: add, list, open, mark public, delete; evidence for confirmation.

A file is cleaned (``validation``) and written to the store (``storage``) before its row
is committed; if the commit fails the bytes are removed again, so a row never names a
missing file. Deleting commits the row's removal (with its audit entry) first, then
removes the bytes.
"""

from flask import current_app
from sqlalchemy import func, select

from marketplace.errors import Conflict, Forbidden, NotFound
from marketplace.extensions import db
from marketplace.models import Attachment, User
from marketplace.models.attachments import RECORD_KINDS
from marketplace.services import audit
from marketplace.services.access import signed_in, valid_id
from marketplace.services.attachments import policies
from marketplace.services.attachments.storage import new_key, storage, thumbnail_key
from marketplace.services.attachments.validation import clean_upload

MAX_PER_RECORD = 20


def max_bytes() -> int:
    """Return the largest file accepted (setting ``ATTACHMENT_MAX_BYTES``)."""
    return int(current_app.config["ATTACHMENT_MAX_BYTES"])


def _lock_record(kind: str, record) -> None:
    """Queue uploads to one record on its row, so two cannot both pass the count."""
    model = policies.KINDS[kind].model
    db.session.execute(select(model.id).where(model.id == record.id).with_for_update())


def add_attachment(
    actor: User | None, kind: str, record_id, data: bytes, filename: str = "", public=False
) -> Attachment:
    """Attach a cleaned file to a record the actor may add to; return the new row."""
    record = policies.load_record(kind, record_id)
    if not policies.adds_to_record(actor, kind, record):
        raise Forbidden(f"无权为该{RECORD_KINDS[kind]}上传附件。")
    clean = clean_upload(data, max_bytes())
    _lock_record(kind, record)
    if count_for(kind, record.id) >= MAX_PER_RECORD:
        raise Conflict(f"每条记录最多 {MAX_PER_RECORD} 个附件，请先删除不需要的。", field="file")
    attachment = _store(kind, record.id, clean, filename, public, actor.id)
    audit.record(
        "attachment.add",
        actor=actor,
        obj=attachment,
        after={"record": f"{kind}#{record.id}", "type": clean.content_type},
        detail=attachment.original_name,
    )
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        _remove_bytes(attachment)
        raise
    return attachment


def _store(kind, record_id, clean, filename, public, uploader_id) -> Attachment:
    """Add the row and write the bytes (uncommitted: the caller commits or removes them)."""
    key = new_key(clean.extension)
    attachment = Attachment(
        record_kind=kind,
        record_id=record_id,
        storage_key=key,
        thumbnail_key=thumbnail_key(key) if clean.thumbnail else None,
        content_type=clean.content_type,
        bytes=len(clean.data),
        original_name=(filename or "").replace("\\", "/").rsplit("/", 1)[-1][:200],
        is_public=bool(public) and policies.may_mark_public(kind),
        uploaded_by_id=uploader_id,
    )
    db.session.add(attachment)
    db.session.flush()
    store = storage()
    store.put(key, clean.data)
    if clean.thumbnail:
        store.put(attachment.thumbnail_key, clean.thumbnail)
    return attachment


def seed_attachment(kind: str, record_id: int, data: bytes, filename: str) -> Attachment:
    """Store a file on a record without an actor (the demo county); the caller commits."""
    return _store(kind, record_id, clean_upload(data, max_bytes()), filename, False, None)


def count_for(kind: str, record_id: int) -> int:
    """Return how many attachments a record has."""
    return db.session.scalar(
        select(func.count(Attachment.id)).where(
            Attachment.record_kind == kind, Attachment.record_id == record_id
        )
    )


def _of_record(kind: str, record_id: int) -> list[Attachment]:
    return list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.record_kind == kind, Attachment.record_id == record_id)
            .order_by(Attachment.id)
        )
    )


def record_attachments(actor: User | None, kind: str, record_id) -> list[Attachment]:
    """Return a record's attachments the viewer may see: all of them, or the public ones."""
    record = policies.load_record(kind, record_id)
    rows = _of_record(kind, record.id)
    if policies.sees_record(actor, kind, record):
        return rows
    public = [row for row in rows if policies.shown_publicly(row, record)]
    if not public and not signed_in(actor):
        raise NotFound(policies.KINDS[kind].missing)
    if not public:
        raise Forbidden("无权查看该记录的附件。")
    return public


def gallery(actor: User | None, kind: str, record_id: int) -> list[Attachment]:
    """Return what a record's page shows in its gallery (nothing rather than a refusal)."""
    try:
        return record_attachments(actor, kind, record_id)
    except (Forbidden, NotFound):
        return []


def _load(attachment_id) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id) if valid_id(attachment_id) else None
    if attachment is None:
        raise NotFound("附件不存在或无权查看。")
    return attachment


def open_attachment(actor: User | None, attachment_id, *, thumbnail=False):
    """Return ``(attachment, bytes)`` to a viewer who may see it; NotFound to anyone else."""
    attachment = _load(attachment_id)
    record = policies.load_record(attachment.record_kind, attachment.record_id)
    visible = policies.sees_record(actor, attachment.record_kind, record)
    if not (visible or policies.shown_publicly(attachment, record)):
        raise NotFound("附件不存在或无权查看。")  # a private file is not even confirmed
    key = attachment.thumbnail_key if thumbnail else attachment.storage_key
    if key is None:
        raise NotFound("该附件没有缩略图。")
    try:
        return attachment, storage().get(key)
    except KeyError:
        raise NotFound("附件文件已丢失，请联系管理员从备份恢复。") from None


def _manageable(actor: User | None, attachment_id) -> Attachment:
    attachment = _load(attachment_id)
    record = policies.load_record(attachment.record_kind, attachment.record_id)
    if not policies.adds_to_record(actor, attachment.record_kind, record):
        if not policies.sees_record(actor, attachment.record_kind, record):
            raise NotFound("附件不存在或无权查看。")
        raise Forbidden("只有记录的登记方可以管理其附件。")
    return attachment


def set_public(actor: User | None, attachment_id, public: bool) -> Attachment:
    """Show or hide an attachment on the record's public page (wishes only)."""
    attachment = _manageable(actor, attachment_id)
    if not policies.may_mark_public(attachment.record_kind):
        raise Conflict("只有微心愿的照片可以在公开页面展示。")
    before = {"is_public": attachment.is_public}
    attachment.is_public = bool(public)
    audit.record(
        "attachment.publish" if public else "attachment.unpublish",
        actor=actor,
        obj=attachment,
        before=before,
        after={"is_public": attachment.is_public},
    )
    db.session.commit()
    return attachment


def delete_attachment(actor: User | None, attachment_id) -> Attachment:
    """Remove an attachment (who may add to its record), with an audit entry."""
    attachment = _manageable(actor, attachment_id)
    audit.record(
        "attachment.delete",
        actor=actor,
        obj=attachment,
        before={
            "record": f"{attachment.record_kind}#{attachment.record_id}",
            "type": attachment.content_type,
            "bytes": attachment.bytes,
        },
        detail=attachment.original_name,
    )
    db.session.delete(attachment)
    db.session.commit()
    _remove_bytes(attachment)
    return attachment


def _remove_bytes(attachment: Attachment) -> None:
    store = storage()
    store.delete(attachment.storage_key)
    if attachment.thumbnail_key:
        store.delete(attachment.thumbnail_key)


def evidence_required(kind: str) -> bool:
    """Tell whether confirming a record of ``kind`` needs an attachment (``EVIDENCE_REQUIRED``)."""
    return kind in current_app.config["EVIDENCE_REQUIRED"]


def require_evidence(kind: str, record_id: int, refusal: str) -> None:
    """Refuse (409) confirming a record without an attachment where the county says so."""
    if evidence_required(kind) and count_for(kind, record_id) == 0:
        raise Conflict(refusal, field="file")


def evidence_counts(kind: str, record_ids) -> dict[int, int]:
    """Return per record id how many attachments it carries (records without: absent)."""
    ids = list(record_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Attachment.record_id, func.count(Attachment.id))
        .where(Attachment.record_kind == kind, Attachment.record_id.in_(ids))
        .group_by(Attachment.record_id)
    )
    return dict(rows.all())
