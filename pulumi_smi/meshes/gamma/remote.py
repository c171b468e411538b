"""Split backends served outside the mesh, in GAMMA routes: a warning, or a located error.

A backend whose Service stands for a host outside the mesh (:mod:`pulumi_smi.spec.remote`:
an ExternalName Service) stays a ``backendRef`` to that Service, on the apex's port, with its
weight as for any backend. Gateway API leaves that to the implementation:
``BackendObjectReference`` says "Implementations SHOULD NOT support ExternalName Services"
(Support: Implementation-specific; the ``backendRefs`` description of the v1.6.1 HTTPRoute
CRD, added by kubernetes-sigs/gateway-api#1816). Read from source:

- Istio (istio/istio ``pilot/pkg/config/kube/gateway/conversion.go`` ``buildDestination``)
  accepts the backendRef when the Service exists; the ExternalName Service is an alias
  (``pilot/pkg/serviceregistry/kube/conversion.go``: resolution ``Alias``) and
  ``GetDestinationCluster`` (``pilot/pkg/networking/core/route/route.go``) sends the share to
  the cluster ``outbound|<port>||<externalName>``, which exists only when Istio knows the
  host (a ServiceEntry): otherwise requests fail with 500 ``cluster_not_found``
  (istio/istio#54533). So for ``gateway-api`` it is a warning naming the ServiceEntry needed.
- Linkerd (linkerd/linkerd2 edge-26.8) accepts it too (``policy-controller/k8s/index/src/
  outbound/index/http.rs`` ``convert_backend``: an existing Service becomes a balanced
  backend, ``policy-controller/grpc/src/outbound/http.rs``), but the destination controller
  refuses endpoint discovery for an ExternalName Service (``controller/api/destination/
  watcher/endpoints_watcher.go`` ``Subscribe``: ``InvalidArgument``), the proxy does not retry
  that (linkerd/linkerd2-proxy ``linkerd/app/src/dst.rs`` ``BackoffUnlessInvalidArgument``)
  and a balancer whose resolution fails fails its requests (``linkerd/proxy/balance``). Every
  request of that share fails, so for ``linkerd`` it is a located error recommending the
  multicluster mirror Service (linkerd/linkerd2#12830: maintainers point such splits to
  plain-Service backendRefs).

A backend with only a Consul datacenter, peer or partition has no host to route to: a located
error on both targets.
"""

from __future__ import annotations

from ...errors import TranslationError
from ...plan import PlanWarning
from ...spec.models import Backend, TrafficSplit
from ...spec.specset import SpecSet
from ..plan_builder import each
from ..services import apex_ports, backend_lacks_port, remote_of
from ..splits import ApexRouting

MIRROR = (
    "for a service of another Linkerd cluster, use the mirror Service its Link creates in "
    "this namespace, <service>-<link name> (a plain Service; flat mode keeps the caller's "
    "identity), as the backend instead"
)
EGRESS = (
    "a host outside Linkerd cannot take a share of the apex: clients call it directly, "
    "allowed by an EgressNetwork (policy.linkerd.io/v1alpha1, Linkerd 2.17+) where their "
    "namespace restricts egress"
)


def remote_warnings(
    specs: SpecSet, routing: ApexRouting, target: str, linkerd: bool
) -> list[PlanWarning]:
    """One warning per remote backend of the apex's splits; a :class:`TranslationError` with
    every remote backend ``target`` cannot route to (the problems of every split at once)."""

    def of_split(split: TrafficSplit) -> list[PlanWarning]:
        found = each(
            split.spec.backends, lambda backend: _backend(specs, split, target, linkerd, backend)
        )
        return [w for w in found if w is not None]

    return [w for found in each(routing.splits, of_split) for w in found]


def _backend(
    specs: SpecSet, split: TrafficSplit, target: str, linkerd: bool, backend: Backend
) -> PlanWarning | None:
    namespace = split.metadata.namespace
    remote = remote_of(specs, namespace, backend.service)
    if remote is None:
        return None
    path = split.spec.backend_path(backend.service)
    served = f"backend Service {namespace}/{backend.service} is served at {remote.where}"
    if remote.host is None:
        hint = MIRROR if linkerd else "make the Service type: ExternalName with spec.externalName"
        raise _fail(
            specs,
            split,
            path,
            f"{served}: a Gateway API backendRef is a Service routed by its endpoints, and a "
            f"Consul redirect gives the {target} target no host to send the share to; {hint}",
        )
    if linkerd:
        raise _fail(
            specs,
            split,
            path,
            f"backend Service {namespace}/{backend.service} is an ExternalName Service served "
            f"at {remote.where}: Linkerd accepts the backendRef but cannot route to it (its "
            "destination controller serves no endpoints for an ExternalName Service, so the "
            f"proxy fails every request of that share); {MIRROR}; {EGRESS}",
        )
    return PlanWarning(
        f"TrafficSplit {namespace}/{split.metadata.name}: {served}: "
        f"{_reached(specs, split, backend)}, but Gateway API leaves ExternalName backends "
        "implementation-specific (implementations SHOULD NOT support them). On Istio the "
        f"share reaches {remote.host} only if Istio knows that host: add a ServiceEntry "
        f"(hosts [{remote.host}], location MESH_EXTERNAL, resolution DNS, those ports), "
        "else it fails with 500 (cluster_not_found); on Linkerd it fails (the linkerd "
        "target says what to do instead); other implementations may refuse the backendRef "
        "(status ResolvedRefs False), so check the route's status",
        split.key,
    )


def _reached(specs: SpecSet, split: TrafficSplit, backend: Backend) -> str:
    """How the routes name the backend: on which apex ports, with which weight."""
    namespace = split.metadata.namespace
    apex = [p.port for p in apex_ports(specs, split) or () if p.protocol == "TCP"]
    ports = [str(n) for n in apex if not backend_lacks_port(specs, namespace, backend.service, n)]
    if apex and not ports:
        return "it lists none of the apex's ports, so SMI leaves it out of the split"
    on = f" on port{'s' if len(ports) > 1 else ''} {', '.join(ports)}" if ports else ""
    ref = f"a backendRef to Service {backend.service}{on}"
    if backend.weight == 0:
        return f"it is left out of the routes while its weight is 0, then becomes {ref}"
    return f"it stays {ref} with weight {backend.weight}"


def _fail(specs: SpecSet, split: TrafficSplit, path: str, text: str) -> TranslationError:
    return TranslationError([specs.problem(split.key, path, text)])
