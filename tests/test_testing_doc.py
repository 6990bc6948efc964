"""docs/testing.md names every test file, so a reader can find what guards a behaviour."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_test_file_is_listed_in_the_testing_guide():
    guide = (ROOT / "docs" / "testing.md").read_text()
    missing = [path.name for path in sorted((ROOT / "tests").glob("test_*.py")) if f"`{path.name}`" not in guide]
    assert not missing, f"add these to docs/testing.md: {missing}"
