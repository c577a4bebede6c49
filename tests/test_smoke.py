import bcs_tui


def test_version():
    assert bcs_tui.__version__
