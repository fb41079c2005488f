from lib import config


def test_profile_from_quarto_profile(monkeypatch):
    monkeypatch.delenv("QUARTO_PROFILE", raising=False)
    assert config.profile() == "full" and config.pick(full=50, quick=2) == 50
    monkeypatch.setenv("QUARTO_PROFILE", "ci, quick")
    assert config.profile() == "quick" and config.pick(full=50, quick=2) == 2


def test_data_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HW5_DATA", str(tmp_path))
    assert config.data_dir() == tmp_path
    monkeypatch.delenv("HW5_DATA")
    assert config.data_dir() == config.PROJECT_ROOT / "data"
