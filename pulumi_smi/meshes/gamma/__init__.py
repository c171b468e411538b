"""Gateway API GAMMA routes for TrafficSplits (HTTPRoute, GRPCRoute, TCPRoute attached to the apex
Service), shared by the ``gateway-api`` and ``linkerd`` targets."""

from .routes import GROUP, RouteApis, split_routes

__all__ = ["GROUP", "RouteApis", "split_routes"]
