"""The safe writer against hostile paths and sizes, property-based."""

import string

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from agents.safe_output import MAX_DEPTH, MAX_PATH_LENGTH, Limits, UnsafeOutput, check_files, check_path

LIMITS = Limits(max_file_bytes=1000, max_files=5, max_total_bytes=2500)
NAME_CHARS = string.ascii_letters + string.digits + "_-"
WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"{port}{n}" for port in ("COM", "LPT") for n in range(10))}
segment = st.text(alphabet=NAME_CHARS, min_size=1, max_size=12).filter(
    lambda name: not name.startswith("-") and name.upper() not in WINDOWS_DEVICES
)
safe_path = st.lists(segment, min_size=1, max_size=5).map("/".join)


@given(safe_path)
def test_plain_relative_paths_are_accepted_as_they_are(path):
    assert check_path(path) == path


@given(st.lists(segment, max_size=3), st.lists(segment, max_size=3))
def test_a_dot_dot_segment_anywhere_is_refused(before, after):
    with pytest.raises(UnsafeOutput, match=r"'\.\.'"):
        check_path("/".join([*before, "..", *after]))


@given(safe_path)
def test_absolute_paths_are_refused(path):
    with pytest.raises(UnsafeOutput, match="absolute"):
        check_path("/" + path)


@given(st.sampled_from(string.ascii_letters), safe_path)
def test_windows_drive_paths_are_refused(drive, path):
    with pytest.raises(UnsafeOutput):
        check_path(f"{drive}:{path}")


@given(safe_path, safe_path)
def test_backslashes_are_refused(a, b):
    with pytest.raises(UnsafeOutput):
        check_path(f"{a}\\{b}")


@given(safe_path, st.sampled_from(list("\x00\n\r\t :*?\"<>|~$`'&;!#%")))
def test_shell_and_control_characters_are_refused(path, bad):
    with pytest.raises(UnsafeOutput):
        check_path(path + bad + "x")


@given(st.text(min_size=1, max_size=60))
def test_any_accepted_path_stays_inside_the_project(path):
    try:
        accepted = check_path(path)
    except UnsafeOutput:
        return
    parts = accepted.split("/")
    assert ".." not in parts and "" not in parts and not accepted.startswith("/")
    assert all(set(p) <= set(NAME_CHARS + ".[]@+") for p in parts)


def test_an_overlong_path_is_refused():
    with pytest.raises(UnsafeOutput, match="longer than"):
        check_path("a" * (MAX_PATH_LENGTH + 1))


def test_a_path_nested_too_deep_is_refused():
    with pytest.raises(UnsafeOutput, match="deeper"):
        check_path("/".join(["d"] * (MAX_DEPTH + 1)))


@hypothesis_settings(max_examples=50)
@given(st.integers(min_value=LIMITS.max_file_bytes + 1, max_value=LIMITS.max_file_bytes * 3))
def test_a_file_over_the_size_limit_is_refused(size):
    with pytest.raises(UnsafeOutput, match="at most"):
        check_files({"big.txt": "x" * size}, limits=LIMITS)


@given(st.integers(min_value=LIMITS.max_files + 1, max_value=20))
def test_more_files_than_the_limit_are_refused(count):
    with pytest.raises(UnsafeOutput, match="limit"):
        check_files({f"f{i}.txt": "" for i in range(count)}, limits=LIMITS)


@given(st.integers(min_value=0, max_value=LIMITS.max_files), st.integers(min_value=0, max_value=3))
def test_files_already_stored_count_against_the_run(existing, new):
    files = {f"f{i}.txt": "" for i in range(new)}
    if existing + new > LIMITS.max_files:
        with pytest.raises(UnsafeOutput):
            check_files(files, existing_files=existing, limits=LIMITS)
    else:
        assert check_files(files, existing_files=existing, limits=LIMITS) == files


def test_the_total_size_of_a_run_is_bounded():
    files = {f"f{i}.txt": "x" * 900 for i in range(3)}
    with pytest.raises(UnsafeOutput, match="bytes"):
        check_files(files, limits=LIMITS)


@given(st.text(alphabet=string.ascii_letters, min_size=1, max_size=10))
def test_paths_differing_only_in_case_are_refused(name):
    name = f"page{name}"  # never a Windows device name ("nul"), which is refused for that reason first
    with pytest.raises(UnsafeOutput, match="letter case"):
        check_files({name.lower(): "", name.upper(): ""}, limits=LIMITS)


def test_nul_bytes_in_content_are_refused():
    with pytest.raises(UnsafeOutput, match="NUL"):
        check_files({"a.txt": "ok\x00no"}, limits=LIMITS)


@given(st.dictionaries(safe_path, st.text(max_size=50), max_size=6))
def test_one_bad_file_means_nothing_is_accepted(files):
    hostile = dict(files) | {"../outside.txt": "x"}
    with pytest.raises(UnsafeOutput):
        check_files(hostile, limits=Limits(10_000, 100, 100_000))


@pytest.mark.parametrize(
    "path",
    [
        "backend/.git/config",
        ".git/hooks/post-checkout",
        ".GIT/config",
        "frontend/.Git/HEAD",
        "backend/.git",
        ".hg/hgrc",
        "docs/.svn/entries",
    ],
)
def test_version_control_folders_are_refused(path):
    with pytest.raises(UnsafeOutput, match="version-control folder"):
        check_path(path)


@pytest.mark.parametrize("path", [".gitignore", ".gitattributes", ".github/workflows/ci.yml", "backend/.gitignore"])
def test_git_settings_that_run_nothing_are_accepted(path):
    assert check_path(path) == path


@pytest.mark.parametrize(
    "path", [".npmrc", "backend/.npmrc", "frontend/.yarnrc", ".yarnrc.yml", "python/pip.conf", "pip.ini"]
)
def test_package_manager_settings_are_refused(path):
    with pytest.raises(UnsafeOutput, match="package manager"):
        check_path(path)


@pytest.mark.parametrize("path", ["backend/newline.ts\n", "README.md\n", "docs\n/API.md", "a.ts\r\n"])
def test_a_line_break_at_the_end_of_a_part_is_refused(path):
    with pytest.raises(UnsafeOutput):
        check_path(path)


@pytest.mark.parametrize("path", ["backend/-rf", "-x.ts", "docs/--help.md"])
def test_a_part_that_reads_as_an_option_is_refused(path):
    with pytest.raises(UnsafeOutput, match="option"):
        check_path(path)


@pytest.mark.parametrize("path", ["backend/CON", "backend/aux.ts", "nul.d.ts", "src/com1.json", "LPT9.txt.bak", "Prn"])
def test_windows_device_names_are_refused_with_any_extension(path):
    with pytest.raises(UnsafeOutput, match="Windows device"):
        check_path(path)


@pytest.mark.parametrize("path", ["backend/console.ts", "auxiliary.ts", "null.md", "com10.txt", "src/connection.ts"])
def test_names_that_only_begin_like_a_device_are_accepted(path):
    assert check_path(path) == path


@pytest.mark.parametrize("path", ["backend/name.", "docs.", "a/b..", "backend/name ", "link@target", "@types/x.d.ts"])
def test_trailing_dots_spaces_and_at_signs_are_refused(path):
    with pytest.raises(UnsafeOutput):
        check_path(path)
