"""The demo club: a small, working club built by ``manage.py load_demo``.

``content`` holds what the club contains, as data written for this project;
``loader`` builds it, looking first for what each step would create, so running
it again changes nothing.
"""

from .content import DEMO_PASSWORDS
from .loader import DemoResult, example_variables, load_demo, point_default_site

__all__ = [
    "DEMO_PASSWORDS",
    "DemoResult",
    "example_variables",
    "load_demo",
    "point_default_site",
]
