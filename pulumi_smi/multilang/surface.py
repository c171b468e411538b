"""What every multi-language component shares: being the Python component it stands for.

The analyzer walks a component's base classes for annotations too, and the Python
components annotate theirs (``plans``, ``spec``, in modules using postponed annotations),
which it refuses, so the multi-language classes do not derive from them: constructing one
gives an instance of a private class deriving from both (``_TrafficSplit(TrafficSplit,
pulumi_smi.TrafficSplit)``, declared with :func:`implements`), whose ``__init__`` converts the
args into the Python component's keyword arguments and runs the Python component's
``__init__`` (:meth:`_Surface._construct`). The component is therefore the Python one, with
its type token (``smi:index:TrafficSplit``), its checks and its children, registered exactly
as the Python API registers them.

No ``from __future__ import annotations`` here: the analyzer reads the annotations of every
base class of a component at run time.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pulumi

C = TypeVar("C", bound=pulumi.ComponentResource)
S = TypeVar("S", bound="_Surface")


class _Surface(pulumi.ComponentResource):
    """What the multi-language components share (methods only: the analyzer would take a
    public class-level annotation here for an output of every component, and it reads an
    output's description from the component's own class body only)."""

    _deferred: dict[str, Any]
    _constructing: bool

    def __new__(cls, *args: Any, **kwargs: Any) -> "_Surface":
        """An instance of the class implementing ``cls`` (deriving from the Python one)."""
        return super().__new__(_IMPLEMENTATIONS.get(cls, cls))

    def _construct(self, cls: type[C], name: str, *args: Any, **kwargs: Any) -> C:
        """This component as the Python component ``cls``, once ``cls.__init__`` has run on
        it with ``args`` and ``kwargs`` (its ``register_outputs`` call kept for
        :meth:`_finish`, as the engine takes one per component)."""
        if not isinstance(self, cls):  # pragma: no cover - __new__ guarantees it
            raise TypeError(f"{type(self).__name__} is not a {cls.__name__}")
        self._deferred = {}
        self._constructing = True
        try:
            cls.__init__(self, name, *args, **kwargs)
        finally:
            self._constructing = False
        return self

    def register_outputs(self, outputs: pulumi.Inputs) -> None:
        """Register the component's outputs (once: kept while the Python one constructs)."""
        if getattr(self, "_constructing", False):
            self._deferred.update(outputs)
            return
        super().register_outputs(outputs)

    def _finish(self, outputs: Mapping[str, Any]) -> None:
        self.register_outputs({**self._deferred, **outputs})

    def _publish(self, outputs: Mapping[str, Any]) -> None:
        """Set the output attributes (``resourceNames`` as ``resource_names``, a plain value
        as an Output of it) and register ``outputs``."""
        for key, value in outputs.items():
            output = value if isinstance(value, pulumi.Output) else pulumi.Output.from_input(value)
            setattr(self, re.sub(r"(?=[A-Z])", "_", key).lower(), output)
        self._finish(outputs)


_IMPLEMENTATIONS: dict[type[_Surface], type[_Surface]] = {}
"""Each multi-language class, and the class of its instances."""


def implements(surface: type[_Surface]) -> Callable[[type[S]], type[S]]:
    """Declare the decorated class (deriving from ``surface`` and from the Python component)
    as the class of ``surface``'s instances."""

    def declare(implementation: type[S]) -> type[S]:
        _IMPLEMENTATIONS[surface] = implementation
        return implementation

    return declare
