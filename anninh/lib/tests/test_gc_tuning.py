import gc

import pytest

from anninh.lib.gc_tuning import THRESHOLDS, settle


@pytest.fixture
def restore_gc():
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_settle_freezes_the_loaded_objects_and_spaces_out_collections(restore_gc):
    gc.unfreeze()
    kept = [object() for _ in range(10)]  # noqa: F841 - alive at settle time
    settle()
    assert gc.get_freeze_count() > 1000
    assert gc.get_threshold() == THRESHOLDS
    assert gc.isenabled()
