"""Check that the built wheel ships templates, static files, locale and migrations."""

import sys
import zipfile
from pathlib import Path

REQUIRED_PREFIXES = (
    "memberaudit/templates/memberaudit/",
    "memberaudit/static/memberaudit/",
    "memberaudit/migrations/0001_initial.py",
    "memberaudit/locale/en/LC_MESSAGES/django.po",
    "memberaudit/auth_hooks.py",
)


def main(dist_dir: str) -> int:
    wheels = sorted(Path(dist_dir).glob("aa_memberaudit-*.whl"))
    if not wheels:
        print(f"no wheel found in {dist_dir}")
        return 1
    names = zipfile.ZipFile(wheels[-1]).namelist()
    print(f"{wheels[-1].name}: {len(names)} files")
    for name in sorted(names):
        print(f"  {name}")
    missing = [
        prefix for prefix in REQUIRED_PREFIXES if not any(n.startswith(prefix) for n in names)
    ]
    leaked = [n for n in names if n.startswith(("testauth/", "fake_eve/"))]
    if missing or leaked:
        print(f"missing from the wheel: {missing}; must not ship: {leaked}")
        return 1
    print("wheel contents: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
