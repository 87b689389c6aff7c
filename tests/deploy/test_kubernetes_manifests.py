"""deploy/k8s/shanxing.yaml: current with its renderer, valid Kubernetes, and wired as the design says."""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "deploy" / "k8s" / "shanxing.yaml"
RENDERER = ROOT / "deploy" / "k8s" / "render.py"
KUBERNETES_VERSION = "1.30"  # the oldest release the manifests must run on


def load_renderer():
    spec = importlib.util.spec_from_file_location("k8s_render", RENDERER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


render = load_renderer()
OBJECTS = list(yaml.safe_load_all(MANIFEST.read_text()))
SERVICE_NAMES = [s.name for s in render.SERVICES]


def find(kind: str, name: str) -> dict:
    matches = [o for o in OBJECTS if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} found"
    return matches[0]


def pod_containers(obj: dict) -> list[dict]:
    return obj["spec"]["template"]["spec"]["containers"]


def test_committed_file_is_the_renderers_output():
    out = subprocess.run([sys.executable, str(RENDERER)], capture_output=True, text=True, check=True).stdout
    assert out == MANIFEST.read_text(), "re-render: python deploy/k8s/render.py > deploy/k8s/shanxing.yaml"


@pytest.mark.parametrize("obj", OBJECTS, ids=lambda o: f"{o['kind']}/{o['metadata']['name']}")
def test_every_object_is_valid_kubernetes(obj):
    kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


def test_the_validator_refuses_a_misspelt_field():
    bad = yaml.safe_load(yaml.safe_dump(find("Deployment", "points")))
    bad["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_each_service_has_web_service_autoscaler_budget_and_migration(name):
    web = find("Deployment", name)
    (c,) = pod_containers(web)
    assert c["command"] == [f"shanxing-{name}", "serve", "--port", "8000"]
    assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    svc = find("Service", name)
    assert svc["spec"]["selector"] == web["spec"]["template"]["metadata"]["labels"]
    assert find("HorizontalPodAutoscaler", name)["spec"]["scaleTargetRef"]["name"] == name
    assert find("PodDisruptionBudget", name)["spec"]["selector"]["matchLabels"] == svc["spec"]["selector"]
    job = find("Job", f"{name}-migrate-0-1-0")
    assert pod_containers(job)[0]["command"] == [f"shanxing-{name}", "migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_workers_run_for_the_services_that_consume_or_publish_events():
    workers = {o["metadata"]["name"] for o in OBJECTS if o["kind"] == "Deployment"
               and o["metadata"]["labels"]["app.kubernetes.io/component"] == "worker"}
    assert workers == {"registry-worker", "activities-worker", "points-worker"}
    for name in workers:
        assert pod_containers(find("Deployment", name))[0]["command"][1] == "worker"


def test_only_the_gateway_is_reachable_from_outside_the_suite():
    assert find("NetworkPolicy", "default-deny-ingress")["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    for name in SERVICE_NAMES:
        rules = find("NetworkPolicy", f"{name}-ingress")["spec"]["ingress"]
        open_to_all = any(rule["from"] == [] for rule in rules)
        assert open_to_all == (name == "gateway"), name
    backend = find("Ingress", "gateway")["spec"]["rules"][0]["http"]["paths"][0]["backend"]
    assert backend["service"]["name"] == "gateway"


def test_containers_run_unprivileged_with_a_read_only_root():
    for obj in OBJECTS:
        if obj["kind"] not in ("Deployment", "Job"):
            continue
        for c in pod_containers(obj):
            ctx = c["securityContext"]
            assert ctx["readOnlyRootFilesystem"] and ctx["runAsNonRoot"] and not ctx["allowPrivilegeEscalation"]
            mounts = {m["mountPath"] for m in c["volumeMounts"]}
            assert render.DATA_DIR in mounts  # the Prometheus multiprocess files need a writable dir


def test_every_secret_key_is_documented_and_every_setting_is_one_the_code_reads():
    readme = (ROOT / "deploy" / "k8s" / "README.md").read_text()
    for key in render.secret_keys():
        assert f"`{key}`" in readme, f"secret key {key} missing from deploy/k8s/README.md"
    source = "\n".join(p.read_text() for p in (ROOT / "libs").rglob("*.py")) + "\n".join(
        p.read_text() for p in (ROOT / "services").rglob("*.py") if "tests" not in p.parts)
    names = set(render.CONFIG_DATA) | {"WEB_CONCURRENCY", "WEB_THREADS"}
    for obj in OBJECTS:
        if obj["kind"] in ("Deployment", "Job"):
            names.update(e["name"] for c in pod_containers(obj) for e in c["env"])
    for name in names:
        if re.fullmatch(r"SHANXING_[A-Z]+_URL", name):  # config.py builds these from the service name
            assert "SHANXING_{service.upper()}_URL" in source
        else:
            assert re.search(rf"[\"']{name}[\"']", source), f"{name} is read nowhere"
