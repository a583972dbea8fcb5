"""Attachments: a record's gallery page (printable), upload, delete, and the files themselves.

Files are served from the store by the attachment's id, only to who may see its record
(the public: only what a public page shows), with headers that keep the browser from
running anything in them.
"""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf.file import FileField
from wtforms import BooleanField, SubmitField

from marketplace.errors import DomainError
from marketplace.extensions import db
from marketplace.input_guard import accepts_upload
from marketplace.models.attachments import RECORD_KINDS
from marketplace.services.attachments import attachments, policies
from marketplace.web.downloads import stored_file
from marketplace.web.exchange.marketplace_helpers import viewer
from marketplace.web.form_rules import ChineseForm
from marketplace.web.navigation import safe_next

bp = Blueprint("attachments", __name__, url_prefix="/attachments")


# What each kind of record is called on its gallery page.
TITLES = {
    "pair_activity": lambda record: record.title,
    "meeting": lambda record: record.theme,
    "claim": lambda record: record.need.title,
    "service_record": lambda record: record.summary,
    "wish": lambda record: record.title,
    "ticket": lambda record: record.service_name,
}


class AttachmentForm(ChineseForm):
    file = FileField("选择文件（JPEG、PNG、WebP 图片或 PDF）")
    public = BooleanField("在公开页面展示（仅微心愿照片）")
    submit = SubmitField("上传")


@bp.app_template_global()
def record_gallery(kind: str, record_id: int) -> list:
    """Return the attachments a record's page shows the viewer (for the gallery macro)."""
    return attachments.gallery(viewer(), kind, record_id)


@bp.route("/<int:attachment_id>")
def file(attachment_id: int):
    attachment, data = attachments.open_attachment(viewer(), attachment_id)
    return stored_file(attachment, data)


@bp.route("/<int:attachment_id>/thumbnail")
def thumbnail(attachment_id: int):
    attachment, data = attachments.open_attachment(viewer(), attachment_id, thumbnail=True)
    return stored_file(attachment, data, thumbnail=True)


@bp.route("/<kind>/<int:record_id>")
def record(kind: str, record_id: int):
    rows = attachments.record_attachments(viewer(), kind, record_id)
    target = policies.load_record(kind, record_id)
    return render_template(
        "attachments/record.html",
        kind=kind,
        kind_label=RECORD_KINDS[kind],
        record=target,
        title=TITLES[kind](target),
        items=rows,
        may_add=policies.adds_to_record(viewer(), kind, target),
        may_publish=policies.may_mark_public(kind),
        form=AttachmentForm(),
        printing=request.args.get("print") == "1",
    )


def _back(kind: str, record_id: int) -> str:
    return safe_next(request.form.get("next")) or url_for(".record", kind=kind, record_id=record_id)


@bp.route("/<kind>/<int:record_id>", methods=["POST"])
@accepts_upload
def upload(kind: str, record_id: int):
    form = AttachmentForm()  # CSRF is checked app-wide, before this view
    upload = request.files.get("file")
    try:
        attachments.add_attachment(
            viewer(),
            kind,
            record_id,
            upload.read() if upload else b"",
            upload.filename if upload else "",
            public=form.public.data,
        )
    except DomainError as error:
        if error.status not in (400, 409):
            raise
        db.session.rollback()
        flash(error.message, "danger")
    else:
        flash("附件已上传。", "success")
    return redirect(_back(kind, record_id))


@bp.route("/<int:attachment_id>/delete", methods=["POST"])
def delete(attachment_id: int):
    removed = attachments.delete_attachment(viewer(), attachment_id)
    flash("附件已删除。", "success")
    return redirect(_back(removed.record_kind, removed.record_id))


@bp.route("/<int:attachment_id>/public", methods=["POST"])
def publish(attachment_id: int):
    public = request.form.get("public") == "1"
    changed = attachments.set_public(viewer(), attachment_id, public)
    flash("已在公开页面展示。" if public else "已从公开页面撤下。", "success")
    return redirect(_back(changed.record_kind, changed.record_id))
