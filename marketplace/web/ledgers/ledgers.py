"""Excel ledgers for the organization department and administrators; admin imports."""

from flask import Blueprint, Response, render_template
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice

from marketplace.auth import page_guard
from marketplace.errors import InvalidInput
from marketplace.services.access import can_import_ledgers
from marketplace.services.ledgers import imports, ledgers
from marketplace.web.downloads import XLSX, attachment
from marketplace.web.form_rules import ChineseForm

bp = Blueprint("ledgers", __name__, url_prefix="/ledgers")
bp.before_request(page_guard("reviewer", "admin"))


class ImportForm(ChineseForm):
    kind = SelectField("导入内容", choices=[SelectChoice(k, v) for k, v in imports.LABELS.items()])
    file = FileField("Excel 文件（.xlsx，不超过 2 MB）", validators=[FileRequired("请选择文件。")])
    dry_run = BooleanField("只检查，不写入")


def _xlsx(content: bytes, name: str, fallback: str) -> Response:
    return attachment(content, XLSX, name, fallback)


@bp.route("/")
def index():
    form = ImportForm() if can_import_ledgers(current_user) else None
    return render_template("ledgers/index.html", ledgers=ledgers.LEDGERS, form=form, report=None)


@bp.route("/<kind>.xlsx")
def download(kind: str):
    content = ledgers.ledger_workbook(kind)  # refuses an unknown kind
    return _xlsx(content, f"{ledgers.LEDGERS[kind]}.xlsx", f"{kind}-ledger.xlsx")


@bp.route("/templates/<kind>.xlsx")
def template(kind: str):
    content = imports.template_workbook(kind)
    return _xlsx(content, f"{imports.LABELS[kind]}导入模板.xlsx", f"{kind}-template.xlsx")


@bp.route("/import", methods=["POST"])
def upload():
    form, report, errors = ImportForm(), None, []
    if form.validate_on_submit():
        try:
            content = form.file.data.read()
            report = imports.import_workbook(
                current_user, form.kind.data, content, dry_run=form.dry_run.data
            )
        except imports.ImportRefused as refused:
            errors = refused.report.errors
        except InvalidInput as error:
            form.file.errors = [*form.file.errors, error.message]
    status = 400 if (form.errors or errors) else 200
    return render_template(
        "ledgers/index.html", ledgers=ledgers.LEDGERS, form=form, report=report, errors=errors
    ), status
