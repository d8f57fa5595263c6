import urllib.request
from pathlib import Path

from vivid_data.net.serve import serve_directory


def test_serves_files_and_stops(tmp_path: Path):
    (tmp_path / "a b.txt").write_text("content")
    with serve_directory(tmp_path) as base:
        assert base.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(f"{base}/a%20b.txt", timeout=5) as response:
            assert response.read() == b"content"
