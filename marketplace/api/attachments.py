"""Attachments on records: upload (multipart ``file``), list, delete."""

from flask import jsonify, request, url_for

from marketplace.api import api_bp
from marketplace.auth import api_login_required, api_user
from marketplace.errors import InvalidInput
from marketplace.input_guard import accepts_upload
from marketplace.models import Attachment
from marketplace.services.attachments import attachments
from marketplace.services.attachments.policies import API_KINDS
from marketplace.web.downloads import stored_file


def attachment_json(attachment: Attachment) -> dict:
    """Return an attachment as the API shows it, with the URLs that serve it."""
    thumbnail = (
        url_for("api.attachment_thumbnail", attachment_id=attachment.id)
        if attachment.thumbnail_key
        else None
    )
    return {
        "id": attachment.id,
        "url": url_for("api.attachment_file", attachment_id=attachment.id),
        "thumbnail_url": thumbnail,
        "content_type": attachment.content_type,
        "bytes": attachment.bytes,
        "name": attachment.original_name,
        "public": attachment.is_public,
        "created_at": attachment.created_at.isoformat(timespec="seconds"),
    }


@accepts_upload
@api_login_required()
def upload_attachment(kind: str, record_id: int):
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput("请以 multipart/form-data 上传，文件字段名为 file。", field="file")
    public = request.form.get("public") in ("1", "true", "yes", "on")
    attachment = attachments.add_attachment(
        api_user(), kind, record_id, upload.read(), upload.filename or "", public
    )
    return jsonify(attachment_json(attachment)), 201


@api_login_required()
def list_attachments(kind: str, record_id: int):
    rows = attachments.record_attachments(api_user(), kind, record_id)
    return jsonify(results=[attachment_json(row) for row in rows])


# One rule per record kind ("hotline/requests" spans two path segments).
for path, kind in API_KINDS.items():
    rule = f"/{path}/<int:record_id>/attachments"
    api_bp.add_url_rule(
        rule,
        f"upload_{kind}_attachment",
        upload_attachment,
        methods=["POST"],
        defaults={"kind": kind},
    )
    api_bp.add_url_rule(
        rule,
        f"list_{kind}_attachments",
        list_attachments,
        methods=["GET"],
        defaults={"kind": kind},
    )


@api_bp.get("/attachments/<int:attachment_id>")
@api_login_required()
def attachment_file(attachment_id: int):
    attachment, data = attachments.open_attachment(api_user(), attachment_id)
    return stored_file(attachment, data)


@api_bp.get("/attachments/<int:attachment_id>/thumbnail")
@api_login_required()
def attachment_thumbnail(attachment_id: int):
    attachment, data = attachments.open_attachment(api_user(), attachment_id, thumbnail=True)
    return stored_file(attachment, data, thumbnail=True)


@api_bp.delete("/attachments/<int:attachment_id>")
@api_login_required()
def delete_attachment(attachment_id: int):
    attachments.delete_attachment(api_user(), attachment_id)
    return "", 204
