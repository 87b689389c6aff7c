#!/usr/bin/env python3
"""Kubernetes manifests for Shanxing, rendered from one table of services.

    python deploy/k8s/render.py [--image-prefix registry.example.org/shanxing] [--tag 0.1.0] \
        > deploy/k8s/shanxing.yaml

The committed shanxing.yaml is this script's output with the defaults; tests/deploy checks that
the two agree and validates every object against the Kubernetes schemas. Per service: a migration
Job, the web Deployment (gunicorn), the worker Deployment (relay, consumer, feed follower, jobs), a
Service, a HorizontalPodAutoscaler and a PodDisruptionBudget; NetworkPolicies keep everything but
the gateway unreachable from outside the suite.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field

import yaml

NAMESPACE = "shanxing"
PORT = 8000
DATA_DIR = "/var/lib/shanxing"
SECRET = "shanxing-secrets"
CONFIG = "shanxing-config"
PART_OF = {"app.kubernetes.io/part-of": "shanxing"}


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    # environment variable → key in the shanxing-secrets Secret
    secrets: dict[str, str] = field(default_factory=dict)
    worker: bool = True
    public: bool = False
    web_threads: int = 1
    min_replicas: int = 2
    max_replicas: int = 10
    cpu_request: str = "250m"
    memory_limit: str = "512Mi"


COMMON_SECRETS = {"SHANXING_INTERNAL_KEY": "internal-key", "BROKER_URL": "broker-url"}

SERVICES = (
    # Several gateway replicas share their nonces and rate counters in Redis (decision 0021).
    ServiceSpec("gateway", secrets={"SHANXING_JWT_SECRET": "jwt-secret",
                                    "SHANXING_GATEWAY_REDIS_URL": "gateway-redis-url"}, worker=False, public=True,
                web_threads=4, max_replicas=20),
    ServiceSpec("registry", secrets={"SHANXING_REGISTRY_ID_KEY": "registry-id-key",
                                     "SHANXING_REGISTRY_ID_HASH_KEY": "registry-id-hash-key",
                                     "SHANXING_REGISTRY_CERT_KEY": "registry-cert-key"}),
    ServiceSpec("activities"),
    ServiceSpec("points", secrets={"SHANXING_POINTS_SECRET_KEY": "points-secret-key"}),
)

# Non-secret settings shared by every process (the README's configuration table).
CONFIG_DATA = {
    "SHANXING_ENV": "production",
    "SHANXING_BIND_HOST": "0.0.0.0",
    "SHANXING_DATA_DIR": DATA_DIR,
    "SHANXING_TIMEZONE": "Asia/Shanghai",
    "WEB_CONCURRENCY": "2",
    # the ingress controller's pod network: only its X-Forwarded-For is believed
    "SHANXING_TRUSTED_PROXIES": "10.0.0.0/8",
    **{f"SHANXING_{s.name.upper()}_URL": f"http://{s.name}.{NAMESPACE}.svc:{PORT}" for s in SERVICES},
}


def secret_keys() -> set[str]:
    """Every key the Secret must hold (deploy/k8s/README.md lists them)."""
    keys = set(COMMON_SECRETS.values())
    for spec in SERVICES:
        keys.update(spec.secrets.values())
        keys.add(database_key(spec))
    return keys


def database_key(spec: ServiceSpec) -> str:
    return f"{spec.name}-database-url"


def labels(spec: ServiceSpec, component: str) -> dict:
    return {"app.kubernetes.io/name": spec.name, "app.kubernetes.io/component": component, **PART_OF}


def meta(name: str, spec: ServiceSpec | None = None, component: str | None = None) -> dict:
    out = {"name": name, "namespace": NAMESPACE}
    out["labels"] = labels(spec, component) if spec else dict(PART_OF)
    return out


def env(spec: ServiceSpec) -> list[dict]:
    secret_env = {**COMMON_SECRETS, "DATABASE_URL": database_key(spec), **spec.secrets}
    items = [{"name": name, "valueFrom": {"secretKeyRef": {"name": SECRET, "key": key}}}
             for name, key in secret_env.items()]
    if spec.web_threads > 1:
        items.append({"name": "WEB_THREADS", "value": str(spec.web_threads)})
    return items


def container(spec: ServiceSpec, image: str, command: str, *, web: bool) -> dict:
    args = [f"shanxing-{spec.name}", command] + (["--port", str(PORT)] if web else [])
    out = {
        "name": spec.name if web else f"{spec.name}-{command}",
        "image": image,
        "command": args,
        "envFrom": [{"configMapRef": {"name": CONFIG}}],
        "env": env(spec),
        "resources": {"requests": {"cpu": spec.cpu_request, "memory": "256Mi"},
                      "limits": {"memory": spec.memory_limit}},
        "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "readOnlyRootFilesystem": True,
                            "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "data", "mountPath": DATA_DIR}, {"name": "tmp", "mountPath": "/tmp"}],
    }
    if web:
        out["ports"] = [{"name": "http", "containerPort": PORT}]
        probe = {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10}
        out["startupProbe"] = {**probe, "failureThreshold": 30, "periodSeconds": 2}
        out["livenessProbe"] = {**probe, "timeoutSeconds": 2}
        # /readyz checks the database and broker (the gateway's: every service)
        out["readinessProbe"] = {"httpGet": {"path": "/readyz", "port": "http"}, "periodSeconds": 5,
                                 "timeoutSeconds": 3}
        # let the Service drop this pod before gunicorn stops taking requests
        out["lifecycle"] = {"preStop": {"exec": {"command": ["sleep", "5"]}}}
    return out


def pod_spec(spec: ServiceSpec, image: str, command: str, *, web: bool, restart: str = "Always") -> dict:
    return {
        "restartPolicy": restart,
        "terminationGracePeriodSeconds": 30,
        "automountServiceAccountToken": False,
        "securityContext": {"runAsNonRoot": True, "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container(spec, image, command, web=web)],
        # SHANXING_DATA_DIR holds only process-local files here (Prometheus multiprocess metrics)
        "volumes": [{"name": "data", "emptyDir": {}}, {"name": "tmp", "emptyDir": {}}],
    }


def deployment(spec: ServiceSpec, image: str, component: str, replicas: int) -> dict:
    web = component == "web"
    name = spec.name if web else f"{spec.name}-worker"
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": meta(name, spec, component),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels(spec, component)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {"metadata": {"labels": labels(spec, component)},
                         "spec": pod_spec(spec, image, "serve" if web else "worker", web=web)},
        },
    }


def migration_job(spec: ServiceSpec, image: str, tag: str) -> dict:
    # A Job's pod template is immutable: one Job per release, named after the tag.
    return {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": meta(f"{spec.name}-migrate-{tag.replace('.', '-')}", spec, "migrate"),
        "spec": {"backoffLimit": 3, "ttlSecondsAfterFinished": 86400,
                 "template": {"metadata": {"labels": labels(spec, "migrate")},
                              "spec": pod_spec(spec, image, "migrate", web=False, restart="Never")}},
    }


def service(spec: ServiceSpec) -> dict:
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": meta(spec.name, spec, "web"),
        "spec": {"selector": labels(spec, "web"),
                 "ports": [{"name": "http", "port": PORT, "targetPort": "http"}]},
    }


def autoscaler(spec: ServiceSpec) -> dict:
    return {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": meta(spec.name, spec, "web"),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": spec.name},
            "minReplicas": spec.min_replicas, "maxReplicas": spec.max_replicas,
            "metrics": [{"type": "Resource", "resource": {
                "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}],
        },
    }


def disruption_budget(spec: ServiceSpec) -> dict:
    return {
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
        "metadata": meta(spec.name, spec, "web"),
        "spec": {"minAvailable": 1, "selector": {"matchLabels": labels(spec, "web")}},
    }


def ingress_policy(spec: ServiceSpec) -> dict:
    port = [{"protocol": "TCP", "port": PORT}]
    if spec.public:
        sources = [{"from": [], "ports": port}]  # the front door: anyone (the ingress controller)
    else:
        # the gateway, the other services (read-your-writes catch-up) and the workers (/internal/feed)
        sources = [{"from": [{"podSelector": {"matchLabels": dict(PART_OF)}}], "ports": port}]
    # Prometheus scrapes /metrics from the monitoring namespace
    sources.append({"from": [{"namespaceSelector": {"matchLabels": {
        "kubernetes.io/metadata.name": "monitoring"}}}], "ports": port})
    return {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
        "metadata": meta(f"{spec.name}-ingress", spec, "web"),
        "spec": {"podSelector": {"matchLabels": labels(spec, "web")}, "policyTypes": ["Ingress"],
                 "ingress": sources},
    }


def base_objects() -> list[dict]:
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE, "labels": dict(PART_OF)}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(CONFIG), "data": dict(CONFIG_DATA)},
        # nothing reaches a pod unless a policy below lets it
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta("default-deny-ingress"),
         "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}},
    ]


def gateway_ingress(host: str) -> dict:
    return {
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": meta("gateway", SERVICES[0], "web"),
        "spec": {"rules": [{"host": host, "http": {"paths": [{
            "path": "/", "pathType": "Prefix",
            "backend": {"service": {"name": "gateway", "port": {"name": "http"}}}}]}}]},
    }


def render(image_prefix: str, tag: str, host: str) -> list[dict]:
    objects = base_objects()
    for spec in SERVICES:
        image = f"{image_prefix}/shanxing-{spec.name}:{tag}"
        objects.append(migration_job(spec, image, tag))
        objects.append(deployment(spec, image, "web", spec.min_replicas))
        if spec.worker:
            objects.append(deployment(spec, image, "worker", 1))
        objects += [service(spec), autoscaler(spec), disruption_budget(spec), ingress_policy(spec)]
    objects.append(gateway_ingress(host))
    return objects


HEADER = """\
# Generated by deploy/k8s/render.py — edit that script, then re-render; do not edit by hand.
# Before applying: create the Secret shanxing-secrets (deploy/k8s/README.md), build and push the
# images (deploy/Dockerfile), wait for each *-migrate-* Job to complete, then roll out.
"""


def to_yaml(objects: list[dict]) -> str:
    return HEADER + yaml.safe_dump_all(objects, sort_keys=False, default_flow_style=False, width=110)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image-prefix", default="registry.example.org/shanxing")
    parser.add_argument("--tag", default="0.1.0")
    parser.add_argument("--host", default="shanxing.example.org")
    args = parser.parse_args(argv)
    sys.stdout.write(to_yaml(render(args.image_prefix, args.tag, args.host)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
