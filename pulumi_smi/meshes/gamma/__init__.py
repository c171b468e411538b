"""Gateway API GAMMA routes for TrafficSplits (HTTPRoute, GRPCRoute, TCPRoute attached to the apex
Service), shared by the ``gateway-api`` and ``linkerd`` targets.

A split backend served outside the mesh (an ExternalName Service) stays a weighted backendRef to
its Service with a warning on ``gateway-api``, and is a located error on ``linkerd``, which
cannot route to an ExternalName Service (:mod:`.remote`)."""

from .routes import GROUP, RouteApis, split_routes

__all__ = ["GROUP", "RouteApis", "split_routes"]
