"""``flask pairing …``: solve the loaded county's pairing from the command line."""

from flask.cli import AppGroup

pairing_cli = AppGroup("pairing", help="单位与社区结对。")
