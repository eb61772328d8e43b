"""Where the PWA and the migrations are, in a source checkout and installed.

A wheel carries them inside the package (``server/pwa``, ``server/migrations``);
a checkout or an editable install keeps them beside it at the repository root.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    installed = PACKAGE_DIR / name
    return installed if installed.is_dir() else PACKAGE_DIR.parent / name


PWA_DIR = resource_dir("pwa")
MIGRATIONS_DIR = resource_dir("migrations")
