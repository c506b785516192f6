import uuid

import pandas as pd

from fintrace_pipeline.persistence.snapshots import read_snapshot, remove_snapshot, snapshot_path, write_snapshot


def test_a_snapshot_is_used_only_when_its_columns_and_row_count_match(tmp_path):
    file_id = uuid.uuid4()
    frame = pd.DataFrame({"row_number": [1, 2, 3], "amount": [1.5, -2.0, 3.25]})
    assert read_snapshot(tmp_path, file_id, ["row_number", "amount"], 3) is None  # none written yet
    write_snapshot(tmp_path, file_id, frame)
    pd.testing.assert_frame_equal(read_snapshot(tmp_path, file_id, ["amount", "row_number"], 3), frame)
    assert read_snapshot(tmp_path, file_id, ["row_number", "amount"], 4) is None  # the file now has 4 rows
    assert read_snapshot(tmp_path, file_id, ["row_number", "amount", "vendor"], 3) is None  # mapping changed
    assert [p.name for p in snapshot_path(tmp_path, file_id).parent.iterdir()] == [f"{file_id}.parquet"]
    remove_snapshot(tmp_path, file_id)
    assert read_snapshot(tmp_path, file_id, ["row_number", "amount"], 3) is None
    remove_snapshot(tmp_path, file_id)  # removing what is not there is fine


def test_an_unreadable_snapshot_is_ignored(tmp_path):
    file_id = uuid.uuid4()
    snapshot_path(tmp_path, file_id).parent.mkdir(parents=True)
    snapshot_path(tmp_path, file_id).write_bytes(b"not parquet")
    assert read_snapshot(tmp_path, file_id, ["row_number"], 1) is None
