"""The wheel's package list; everything else about the build is in pyproject.toml.

``templates/`` and ``static/`` stay at the top of the checkout (the project's layout) and
are carried into the wheel as ``marketplace/templates`` and ``marketplace/static``, where
the installed app finds them (``marketplace.app.resource_folder``).
"""

from setuptools import find_packages, setup

FOLDERS = {"marketplace.templates": "templates", "marketplace.static": "static"}

setup(
    packages=[*find_packages(include=["marketplace*"]), *FOLDERS],
    package_dir=FOLDERS,
)
