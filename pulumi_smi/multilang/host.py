"""The provider host: serves the multi-language components to the Pulumi engine.

The repository root's ``__main__.py`` (the plugin folder's entry point, which the Python
language host runs as ``python <folder> <engine address> ...``) calls :func:`main`.
"""

from __future__ import annotations

from pulumi.provider.experimental import component_provider_host

from .. import __version__
from .components import COMPONENTS
from .schema import PACKAGE


def main() -> None:
    """Host the components (arguments from ``sys.argv``, as the language host passes them)."""
    component_provider_host(COMPONENTS, name=PACKAGE, version=__version__)
