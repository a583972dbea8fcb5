"""Command-line groups added to ``flask --app wsgi``."""

from marketplace.cli import backup as _backup  # noqa: F401  (adds db backup / db restore)
from marketplace.cli.demo import demo_cli
from marketplace.cli.excel import excel_cli
from marketplace.cli.funds import funds_cli
from marketplace.cli.hotline import hotline_cli
from marketplace.cli.jobs import jobs_cli
from marketplace.cli.needs import needs_cli
from marketplace.cli.notify import notify_cli
from marketplace.cli.oversight import oversight_cli
from marketplace.cli.pairing import pairing_cli
from marketplace.cli.points import points_cli
from marketplace.cli.record_check import check_command
from marketplace.cli.search import search_cli
from marketplace.cli.taxonomy import taxonomy_cli
from marketplace.cli.users import users_cli
from marketplace.cli.wishes import wishes_cli

commands = [
    users_cli,
    demo_cli,
    taxonomy_cli,
    search_cli,
    pairing_cli,
    excel_cli,
    needs_cli,
    oversight_cli,
]
commands.append(points_cli)
commands.append(wishes_cli)
commands.append(hotline_cli)
commands.append(jobs_cli)
commands.append(notify_cli)
commands.append(funds_cli)
commands.append(check_command)
