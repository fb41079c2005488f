from lib.data import describe, source
from tests.conftest import requires_data


def test_describe_an_empty_data_dir(data_dir, monkeypatch):
    monkeypatch.setattr("lib.data.synthetic_fallback", lambda: None)
    info = describe()
    assert set(info) >= {"nist36", "images", "mnist", "emnist", "flowers17", "squeezenet"}
    assert not info["images"].present
    assert "not available" in source("images")


def test_describe_lists_files_with_size_and_sha256(data_dir):
    (data_dir / "images").mkdir()
    (data_dir / "images" / "01_list.jpg").write_bytes(b"abc")
    (data_dir / "PROVENANCE.md").write_text("nist36_*.mat are NOT the course's files: a stand-in.")
    files = describe(("images",))["images"].files
    assert files == [{
        "path": "images/01_list.jpg",
        "size": 3,
        "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    }]


@requires_data
def test_provided_stand_ins_are_flagged():
    info = describe(("nist36", "emnist", "squeezenet", "mnist"), with_sha256=False)
    assert info["nist36"].stand_in and info["emnist"].stand_in and info["squeezenet"].stand_in
    assert not info["mnist"].stand_in
