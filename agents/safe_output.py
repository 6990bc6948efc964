"""The one gate every generated file passes before it is stored or exported.

A path must be relative POSIX, made of plain name characters, with no '..', no absolute or
drive prefix and nothing hidden in it that a shell or an archive tool would reinterpret. It may
not create a version-control folder (a `.git/config` runs commands on the next `git status`) or
a package manager's settings file (which could point installs at another registry), nor a name
that another system reads as something else: an option (`-rf`), a Windows device (`aux.ts`),
a name Windows trims (`name.`) or a revision marker (`file@rev` to Subversion).
Limits bound one file, the number of files and the total size of a run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

from .base import PermanentAgentError

# Letters, digits and a few separators. A segment starts with a letter, digit, '_' or '[' after
# at most one leading '.' (for .gitignore and friends), and never ends with a '.', which Windows
# drops. Matched with fullmatch: '$' would also accept a trailing newline.
_SEGMENT = re.compile(r"\.?[A-Za-z0-9_\[\]+](?:[A-Za-z0-9_.\[\]+-]*[A-Za-z0-9_\[\]+-])?")
# Compared in lower case: macOS and Windows checkouts treat .GIT as .git.
_VCS_FOLDERS = {".git", ".hg", ".svn"}
_PACKAGE_MANAGER_SETTINGS = {".npmrc", ".yarnrc", ".yarnrc.yml", "pip.conf", "pip.ini"}
# Windows opens the device, whatever the extension: aux.ts is AUX.
_WINDOWS_DEVICE = re.compile(r"(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\..*)?", re.IGNORECASE)
MAX_PATH_LENGTH = 200
MAX_DEPTH = 12


class UnsafeOutput(PermanentAgentError):
    """Generated output broke a rule; nothing of it was written."""


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int
    max_files: int
    max_total_bytes: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(settings.OUTPUT_MAX_FILE_BYTES, settings.OUTPUT_MAX_FILES, settings.OUTPUT_MAX_TOTAL_BYTES)


def check_path(path: object) -> str:
    """The path itself if it is safe, else UnsafeOutput saying why."""
    if not isinstance(path, str) or not path:
        raise UnsafeOutput("a file path is empty or not text")
    shown = repr(path[:80])
    if len(path) > MAX_PATH_LENGTH:
        raise UnsafeOutput(f"path {shown} is longer than {MAX_PATH_LENGTH} characters")
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path):
        raise UnsafeOutput(f"path {shown} is absolute; only relative paths are allowed")
    if "\\" in path:
        raise UnsafeOutput(f"path {shown} uses backslashes; use '/' between folders")
    segments = path.split("/")
    if ".." in segments:
        raise UnsafeOutput(f"path {shown} climbs out of the project with '..'")
    if len(segments) > MAX_DEPTH:
        raise UnsafeOutput(f"path {shown} is nested deeper than {MAX_DEPTH} folders")
    for segment in segments:
        if segment.startswith("-"):
            raise UnsafeOutput(f"path {shown} has a part starting with '-', which commands read as an option")
        if not _SEGMENT.fullmatch(segment):
            raise UnsafeOutput(
                f"path {shown} has an empty part, a part ending in '.', or characters outside letters, digits and ._-+[]"
            )
        if segment.lower() in _VCS_FOLDERS:
            raise UnsafeOutput(
                f"path {shown} writes into a version-control folder ({segment}), which could run commands"
            )
        if _WINDOWS_DEVICE.fullmatch(segment):
            raise UnsafeOutput(f"path {shown} uses {segment!r}, a Windows device name")
    if segments[-1].lower() in _PACKAGE_MANAGER_SETTINGS:
        raise UnsafeOutput(
            f"path {shown} is a package manager's settings file, which could point installs at another registry"
        )
    return path


def check_files(
    files: dict[str, str], *, existing_files: int = 0, existing_bytes: int = 0, limits: Limits | None = None
) -> dict[str, str]:
    """All of `files` if every one is safe and the run stays within its limits; otherwise
    UnsafeOutput and nothing is accepted. `existing_*` count what the run already stored."""
    limits = limits or Limits.from_settings()
    if not isinstance(files, dict):
        raise UnsafeOutput("the output is not a mapping of paths to file contents")
    total = 0
    folded: dict[str, str] = {}
    for path, content in files.items():
        check_path(path)
        if not isinstance(content, str):
            raise UnsafeOutput(f"content of {path!r} is not text")
        if "\x00" in content:
            raise UnsafeOutput(f"content of {path!r} contains NUL bytes; only text files are allowed")
        size = len(content.encode("utf-8"))
        if size > limits.max_file_bytes:
            raise UnsafeOutput(f"{path!r} is {size} bytes; one file may have at most {limits.max_file_bytes}")
        # Two paths that differ only in case collide on macOS and Windows checkouts.
        if (other := folded.setdefault(path.lower(), path)) != path:
            raise UnsafeOutput(f"{path!r} and {other!r} differ only in letter case")
        total += size
    if existing_files + len(files) > limits.max_files:
        raise UnsafeOutput(f"the run would have {existing_files + len(files)} files; the limit is {limits.max_files}")
    if existing_bytes + total > limits.max_total_bytes:
        raise UnsafeOutput(f"the run would hold {existing_bytes + total} bytes; the limit is {limits.max_total_bytes}")
    return files
