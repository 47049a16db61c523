"""A fingerprint of the code, templates, translations and static files this process serves, for
validators (ETags) that must change when a deploy changes a page: the name, size and modification
time of each of the project's files, read once per process (every web worker reads the same)."""

import functools
import hashlib
import os
from pathlib import Path

import django
from django.conf import settings

_SKIP = {"__pycache__", "node_modules", "tests", "bench", "var", "media"}


def code_stamp() -> str:
    """Read once per process; with DEBUG at each call (runserver does not restart for a template)."""
    return _stamp() if settings.DEBUG else _process_stamp()


@functools.cache
def _process_stamp() -> str:
    return _stamp()


def _stamp() -> str:
    digest = hashlib.blake2b(django.get_version().encode(), digest_size=8)
    base = Path(settings.BASE_DIR)
    skip = {Path(settings.STATIC_ROOT).resolve(), Path(settings.MEDIA_ROOT).resolve()}
    for root, dirs, files in os.walk(base):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and d not in _SKIP and (Path(root) / d).resolve() not in skip
        )
        for name in sorted(files):
            try:
                info = os.stat(os.path.join(root, name))
            except OSError:  # removed while we looked: the next process sees the deploy whole
                continue
            digest.update(f"{os.path.relpath(root, base)}/{name}:{info.st_size}:{info.st_mtime_ns};".encode())
    return digest.hexdigest()
