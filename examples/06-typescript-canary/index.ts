// A canary on Istio in TypeScript: 90 % of `reviews` to reviews-v1, 10 % to reviews-v2
// (stack config `canaryWeight`), and only `productpage` may call reviews, only
// `GET /reviews/<id>`. The same intent as examples/01-canary-istio, through pulumi-smi's
// multi-language components (`pulumi package add ../..` generates `@pulumi/smi`).
import * as path from "path";

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as smi from "@pulumi/smi";

const config = new pulumi.Config();
const canary = config.getNumber("canaryWeight") ?? 10;
const cluster = new k8s.Provider("onprem", { context: config.get("kubeContext") ?? "onprem-admin" });

// Components on a mesh name it ("onprem") and wait for it (dependsOn): Pulumi constructs
// the Mesh first, in the same provider process, and the others find it by that name.
const mesh = new smi.Mesh("onprem", {
    kind: "istio",
    kubernetesProvider: cluster,
    options: { trust_domain: "cluster.local" },
    catalogueFiles: [path.join(__dirname, "k8s", "bookinfo.yaml")],
});

const split = new smi.TrafficSplit("reviews", {
    namespace: "bookinfo",
    service: "reviews",
    meshes: ["onprem"],
    backends: [
        { service: "reviews-v1", weight: 100 - canary },
        { service: "reviews-v2", weight: canary },
    ],
}, { dependsOn: [mesh] });

const reads = new smi.HTTPRouteGroup("reviews-reads", {
    namespace: "bookinfo",
    meshes: ["onprem"],
    matches: [{ name: "read", pathRegex: "/reviews/[^/]+$", methods: ["GET"] }],
}, { dependsOn: [mesh] });

new smi.TrafficTarget("productpage-reads-reviews", {
    namespace: "bookinfo",
    meshes: ["onprem"],
    destination: { name: "reviews" },
    sources: [{ name: "productpage" }],
    rules: [{ kind: "HTTPRouteGroup", name: "reviews-reads", matches: ["read"] }],
}, { dependsOn: [mesh, reads] });

// Per mesh, every backend's share as the emitted VirtualService routes it.
export const shares = split.shares;
export const resources = split.resourceNames;
