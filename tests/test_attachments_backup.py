"""Backups carry the attachments: a restored database still serves its files."""

import shutil

import pytest

from marketplace.models import User
from marketplace.services import backups
from marketplace.services.attachments import attachments
from marketplace.services.attachments.storage import storage
from marketplace.services.oversight import pair_activities
from marketplace.services.oversight.oversight_calendar import county_today
from tests.attachment_helpers import png_bytes
from tests.oversight_helpers import PairWorld


def test_a_restored_backup_still_serves_its_attachments(app, db, tmp_path):
    if app.test_backend == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not on PATH")
    world = PairWorld()
    activity = pair_activities.log_activity(
        world.unit_user,
        {
            "community_id": world.community.id,
            "date": county_today().isoformat(),
            "kind": "party_day",
            "title": "主题党日",
        },
    )
    photo = attachments.add_attachment(world.unit_user, "pair_activity", activity.id, png_bytes())
    photo_id, key, staff_id = photo.id, photo.storage_key, world.staff.id
    served = attachments.open_attachment(world.staff, photo_id)[1]
    file = tmp_path / "backup.dump"
    backups.backup(file)
    assert (backups.attachments_folder(file) / key[:2] / key).is_file()

    # lose the files (a new server, a wiped folder) and change the rows after the backup
    attachments.delete_attachment(world.unit_user, photo_id)
    for name in list(storage().names()):
        storage().delete(name)
    assert list(storage().names()) == []

    backups.restore(file)
    db.session.remove()
    again, data = attachments.open_attachment(db.session.get(User, staff_id), photo_id)
    assert again.storage_key == key and data == served
