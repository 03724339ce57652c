#!/usr/bin/env python3
"""Assertions over the rendered hft-crypto-bot chart (issue 6).

    assert_chart.py <render-dir>

<render-dir> holds one `helm template` output per scenario, written by
scripts/test-chart.sh (see the SCENARIOS there): prod.yaml, staging.yaml,
existing-secret.yaml, token.yaml, canary.yaml, dr.yaml, green.yaml,
external.yaml, extras.yaml, pdb-max.yaml, config-changed.yaml.
Prints PASS/FAIL per check and exits 1 if any failed.
"""

import base64
import json
import re
import sys
from pathlib import Path

import yaml

try:
    import tomllib
except ImportError:  # Python < 3.11: the config check is skipped
    tomllib = None

RENDER = Path(sys.argv[1])
ROLES = ["ingestion", "strategy", "execution", "risk", "orchestrator"]
CLI_ROLE = {"ingestion": "ingest", "strategy": "strategy", "execution": "execution", "risk": "risk", "orchestrator": "orchestrator"}
METRICS = {
    "hft_ticks_total", "hft_orders_total", "hft_fills_total", "hft_equity", "hft_pnl", "hft_risk_state",
    "hft_kill_switch", "hft_tick_to_order_seconds", "hft_consumer_lag", "hft_dead_letters_total",
    "hft_plugin_swaps_total", "hft_plugin_quarantined_total", "hft_state_store_up",
}
SECRET_SENTINEL = "SENTINEL-admin-token-do-not-render"
REDIS_SENTINEL = "SENTINELredispassword"
failures = 0


def check(name, cond, detail=""):
    global failures
    if cond:
        print(f"PASS {name}")
    else:
        failures += 1
        print(f"FAIL {name}{': ' + str(detail) if detail else ''}")


def load(name):
    text = (RENDER / f"{name}.yaml").read_text()
    return [d for d in yaml.safe_load_all(text) if d], text


def by_kind(docs, kind):
    return [d for d in docs if d["kind"] == kind]


def get(docs, kind, name):
    for d in docs:
        if d["kind"] == kind and d["metadata"]["name"] == name:
            return d
    return None


def pod_specs(docs):
    """(object, pod spec) of every workload."""
    for d in docs:
        k = d["kind"]
        if k in ("Deployment", "StatefulSet", "Job"):
            yield d, d["spec"]["template"]["spec"]
        elif k == "CronJob":
            yield d, d["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def env_of(container):
    return {e["name"]: e for e in container.get("env", [])}


def env_value(container, name):
    e = env_of(container).get(name)
    return None if e is None else e.get("value")


def hft_container(dep):
    return next(c for c in dep["spec"]["template"]["spec"]["containers"] if c["name"] == "hft-host")


def resolve_port(container, port):
    if isinstance(port, int):
        return port
    for p in container.get("ports", []):
        if p["name"] == port:
            return p["containerPort"]
    return None


def floor_replicas(docs, dep):
    for h in by_kind(docs, "HorizontalPodAutoscaler"):
        if h["spec"]["scaleTargetRef"]["name"] == dep["metadata"]["name"]:
            return h["spec"]["minReplicas"]
    return dep["spec"].get("replicas", 1)


def scaled(value, total):
    if isinstance(value, str) and value.endswith("%"):
        return -(-int(value[:-1]) * total // 100)  # Kubernetes rounds up
    return int(value)


def cpu(q):
    q = str(q)
    return float(q[:-1]) / 1000 if q.endswith("m") else float(q)


def mem(q):
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
    q = str(q)
    for u, f in units.items():
        if q.endswith(u):
            return float(q[: -len(u)]) * f
    return float(q)


# ---------------------------------------------------------------- common checks
def common(tag, docs, ns, release="hft-crypto-bot"):
    full = release if "hft-crypto-bot" in release else f"{release}-hft-crypto-bot"
    check(f"[{tag}] every object is in namespace {ns}",
          all(d["metadata"].get("namespace") == ns for d in docs),
          [f"{d['kind']}/{d['metadata']['name']}" for d in docs if d["metadata"].get("namespace") != ns])
    check(f"[{tag}] object names are DNS labels of at most 63 characters",
          all(re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", d["metadata"]["name"]) and len(d["metadata"]["name"]) <= 63 for d in docs))

    deps = {r: get(docs, "Deployment", f"{full}-{r}") for r in ROLES}
    check(f"[{tag}] a Deployment per role", all(deps.values()), [r for r, d in deps.items() if not d])
    svcs = {r: get(docs, "Service", f"{full}-{r}") for r in ROLES}
    check(f"[{tag}] a Service per role", all(svcs.values()), [r for r, d in svcs.items() if not d])
    if not all(deps.values()) or not all(svcs.values()):
        return deps

    for r, dep in deps.items():
        c = hft_container(dep)
        check(f"[{tag}] {r}: command is run --role {CLI_ROLE[r]} --config /etc/hft-host/config.toml --no-report --quiet",
              c.get("args") == ["run", "--role", CLI_ROLE[r], "--config", "/etc/hft-host/config.toml", "--no-report", "--quiet"],
              c.get("args"))
        live, ready = c.get("livenessProbe", {}), c.get("readinessProbe", {})
        lp = resolve_port(c, live.get("httpGet", {}).get("port"))
        rp = resolve_port(c, ready.get("httpGet", {}).get("port"))
        sp = resolve_port(c, c.get("startupProbe", {}).get("httpGet", {}).get("port"))
        check(f"[{tag}] {r}: liveness GET /health and readiness GET /ready on port 8000 (startup probe too)",
              live.get("httpGet", {}).get("path") == "/health" and ready.get("httpGet", {}).get("path") == "/ready"
              and lp == rp == sp == 8000, (live, ready))
        check(f"[{tag}] {r}: HFT_SERVER__LISTEN=0.0.0.0:8000",
              env_value(c, "HFT_SERVER__LISTEN") == "0.0.0.0:8000")
        ports = {p["name"]: p for p in svcs[r]["spec"]["ports"]}
        want = {"http-metrics": 8000} | ({"http-admin": 8005} if r == "orchestrator" else {})
        check(f"[{tag}] {r}: Service ports {want}",
              {n: p["port"] for n, p in ports.items()} == want
              and all(resolve_port(c, p["targetPort"]) == p["port"] for p in ports.values()), ports)
        check(f"[{tag}] {r}: Service selects the role's pods",
              all(dep["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in svcs[r]["spec"]["selector"].items())
              and svcs[r]["spec"]["selector"].get("app.kubernetes.io/component") == r)
        envs = env_of(c)
        check(f"[{tag}] {r}: bus and state come from env (HFT_BUS__KAFKA__BOOTSTRAP_SERVERS, HFT_STATE__REDIS_URL, HFT_STATE__NAMESPACE, HFT_LOG)",
              all(envs.get(n, {}).get("value") for n in
                  ["HFT_BUS__KAFKA__BOOTSTRAP_SERVERS", "HFT_STATE__REDIS_URL", "HFT_STATE__NAMESPACE", "HFT_LOG"]))
        bad = [n for n in envs if n.startswith("HFT_") and "__" in n
               and n.split("__")[0][4:].lower() not in ("bus", "state", "server", "admin", "registry")]
        check(f"[{tag}] {r}: every HFT_<SECTION>__ variable names a section the host knows", not bad, bad)
        mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
        check(f"[{tag}] {r}: config mounted read-only at /etc/hft-host", mounts.get("/etc/hft-host", {}).get("readOnly") is True)
        admin = "HFT_ADMIN_TOKEN" in envs
        check(f"[{tag}] {r}: admin token only on the orchestrator", admin == (r == "orchestrator"))
        tmpl = dep["spec"]["template"]["metadata"]
        check(f"[{tag}] {r}: config checksum annotation on the pods", "checksum/config" in tmpl.get("annotations", {}))

    # HPA owns replicas
    for h in by_kind(docs, "HorizontalPodAutoscaler"):
        target = get(docs, "Deployment", h["spec"]["scaleTargetRef"]["name"])
        check(f"[{tag}] HPA {h['metadata']['name']}: target Deployment exists and has no replicas field",
              target is not None and "replicas" not in target["spec"])
    hpa_targets = {h["spec"]["scaleTargetRef"]["name"] for h in by_kind(docs, "HorizontalPodAutoscaler")}
    for dep in by_kind(docs, "Deployment"):
        if dep["metadata"]["name"] not in hpa_targets:
            check(f"[{tag}] Deployment {dep['metadata']['name']} without HPA has replicas", "replicas" in dep["spec"])

    # PDBs compatible with the HPA minimums
    for p in by_kind(docs, "PodDisruptionBudget"):
        sel = p["spec"]["selector"]["matchLabels"]
        dep = next((d for d in by_kind(docs, "Deployment")
                    if all(d["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in sel.items())), None)
        if dep is None:
            check(f"[{tag}] PDB {p['metadata']['name']} selects a Deployment", False)
            continue
        floor = floor_replicas(docs, dep)
        if "minAvailable" in p["spec"]:
            ok = scaled(p["spec"]["minAvailable"], floor) < floor
        else:
            ok = scaled(p["spec"]["maxUnavailable"], floor) >= 1
        check(f"[{tag}] PDB {p['metadata']['name']} leaves a pod evictable at the minimum of {floor} replicas", ok, p["spec"])
    for dep in by_kind(docs, "Deployment"):
        floor = floor_replicas(docs, dep)
        has = any(p["spec"]["selector"]["matchLabels"].items() <= dep["spec"]["template"]["metadata"]["labels"].items()
                  for p in by_kind(docs, "PodDisruptionBudget"))
        check(f"[{tag}] Deployment {dep['metadata']['name']}: PDB exactly when it has at least 2 pods (minimum {floor})",
              has == (floor >= 2))

    # securityContext everywhere
    for obj, spec in pod_specs(docs):
        what = f"{obj['kind']}/{obj['metadata']['name']}"
        psc = spec.get("securityContext", {})
        check(f"[{tag}] {what}: pod securityContext runAsNonRoot, fsGroup, seccomp RuntimeDefault",
              psc.get("runAsNonRoot") is True and psc.get("fsGroup") and psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", psc)
        check(f"[{tag}] {what}: no service account token mounted", spec.get("automountServiceAccountToken") is False)
        for c in spec.get("initContainers", []) + spec["containers"]:
            sc = c.get("securityContext", {})
            check(f"[{tag}] {what}/{c['name']}: container securityContext (non-root, no escalation, drop ALL, seccomp)",
                  sc.get("runAsNonRoot") is True and sc.get("allowPrivilegeEscalation") is False
                  and "ALL" in sc.get("capabilities", {}).get("drop", []) and sc.get("privileged") is False
                  and sc.get("seccompProfile", {}).get("type") == "RuntimeDefault", sc)
            check(f"[{tag}] {what}/{c['name']}: resources set", c.get("resources", {}).get("requests") and c.get("resources", {}).get("limits"))
        if "kafka" not in obj["metadata"]["name"]:
            check(f"[{tag}] {what}: runs as user and fsGroup 1001",
                  psc.get("runAsUser") == 1001 and psc.get("fsGroup") == 1001
                  and all(c["securityContext"].get("runAsUser") == 1001 for c in spec["containers"]))
    for sa in by_kind(docs, "ServiceAccount"):
        check(f"[{tag}] ServiceAccount {sa['metadata']['name']}: automountServiceAccountToken false",
              sa.get("automountServiceAccountToken") is False)

    # NetworkPolicies
    for r in ROLES:
        np = get(docs, "NetworkPolicy", f"{full}-{r}")
        check(f"[{tag}] {r}: NetworkPolicy exists", np is not None)
        if not np:
            continue
        rules = np["spec"]["ingress"]
        http = [x for x in rules if any(p["port"] == "http" for p in x["ports"])]
        check(f"[{tag}] {r}: HTTP port reachable only from the namespace's pods (and monitoring namespaces)",
              len(http) == 1 and {"podSelector": {}} in http[0]["from"]
              and all(set(f) == {"podSelector"} and f["podSelector"] == {} or set(f) == {"namespaceSelector"} for f in http[0]["from"]))
        admin = [x for x in rules if any(p["port"] == "admin" for p in x["ports"])]
        if r == "orchestrator":
            check(f"[{tag}] orchestrator: admin port reachable only from labelled admin clients",
                  len(admin) == 1 and admin[0]["from"][0] == {"podSelector": {"matchLabels": {"hft-host/admin-client": "true"}}}
                  and len(rules) == 2, rules)
        else:
            check(f"[{tag}] {r}: no admin port rule", not admin)

    # No HFT_ADMIN_TOKEN value in clear anywhere; token only via secretKeyRef
    orch = hft_container(deps["orchestrator"])
    ref = env_of(orch)["HFT_ADMIN_TOKEN"].get("valueFrom", {}).get("secretKeyRef")
    check(f"[{tag}] orchestrator: HFT_ADMIN_TOKEN from a secretKeyRef", ref is not None and "value" not in env_of(orch)["HFT_ADMIN_TOKEN"])
    for n in ["HFT_ADMIN_ADDR", "HFT_REGISTRY__DIR"]:
        check(f"[{tag}] orchestrator: {n} set", env_value(orch, n) in ("0.0.0.0:8005", "/var/lib/hft-host/registry"))
    url = env_value(orch, "HFT_STATE__REDIS_URL") or ""
    check(f"[{tag}] the Redis password is not in the URL (kubelet expands $(REDIS_PASSWORD))",
          "$(REDIS_PASSWORD)" in url and list(env_of(orch)).index("REDIS_PASSWORD") < list(env_of(orch)).index("HFT_STATE__REDIS_URL"))
    check(f"[{tag}] the image defaults to ghcr.io/hft-host/hft-host:0.1.0",
          all(hft_container(d)["image"] == "ghcr.io/hft-host/hft-host:0.1.0" for d in deps.values()))
    cm = get(docs, "ConfigMap", f"{full}-config")
    if tomllib and cm:
        cfg = tomllib.loads(cm["data"]["config.toml"])
        check(f"[{tag}] config.toml parses; plugins_dir /opt/hft-host/plugins; data under /opt/hft-host/data/",
              cfg["run"]["plugins_dir"] == "/opt/hft-host/plugins"
              and all(d["path"].startswith("/opt/hft-host/data/") for d in cfg["data"]), cfg.get("run"))
    check(f"[{tag}] no ZooKeeper anywhere", "zookeeper" not in json.dumps(docs).lower())
    return deps


def hpa(docs, name):
    return get(docs, "HorizontalPodAutoscaler", name)


def metric_targets(h):
    return {m["resource"]["name"]: m["resource"]["target"]["averageUtilization"] for m in h["spec"]["metrics"]}


# ---------------------------------------------------------------- production
prod, prod_text = load("prod")
deps = common("prod", prod, "hft-production")
h = hpa(prod, "hft-crypto-bot-ingestion")
check("[prod] ingestion HPA 2-10 at 70% CPU and 80% memory",
      h and (h["spec"]["minReplicas"], h["spec"]["maxReplicas"]) == (2, 10) and metric_targets(h) == {"cpu": 70, "memory": 80})
check("[prod] ingestion HPA scales up 100% per 30 s (60 s window), down 10% per 60 s (300 s window)",
      h and h["spec"].get("behavior") == {
          "scaleUp": {"stabilizationWindowSeconds": 60, "policies": [{"type": "Percent", "value": 100, "periodSeconds": 30}]},
          "scaleDown": {"stabilizationWindowSeconds": 300, "policies": [{"type": "Percent", "value": 10, "periodSeconds": 60}]}},
      h and h["spec"].get("behavior"))
h = hpa(prod, "hft-crypto-bot-execution")
check("[prod] execution HPA 2-6 at 75% CPU, scaling up 2 pods per 60 s",
      h and (h["spec"]["minReplicas"], h["spec"]["maxReplicas"]) == (2, 6) and metric_targets(h) == {"cpu": 75}
      and h["spec"]["behavior"]["scaleUp"]["policies"] == [{"type": "Pods", "value": 2, "periodSeconds": 60}])
h = hpa(prod, "hft-crypto-bot-risk")
check("[prod] risk HPA 2-4 at 80% CPU",
      h and (h["spec"]["minReplicas"], h["spec"]["maxReplicas"]) == (2, 4) and metric_targets(h) == {"cpu": 80})
check("[prod] a strategy HPA", hpa(prod, "hft-crypto-bot-strategy") is not None)
check("[prod] no orchestrator HPA (a singleton)", hpa(prod, "hft-crypto-bot-orchestrator") is None
      and prod and get(prod, "Deployment", "hft-crypto-bot-orchestrator")["spec"].get("replicas") == 1)


def res(docs, role, full="hft-crypto-bot"):
    return hft_container(get(docs, "Deployment", f"{full}-{role}"))["resources"]


check("[prod] ingestion resources 500m/512Mi, limits 2000m/2Gi",
      res(prod, "ingestion") == {"requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"cpu": "2000m", "memory": "2Gi"}})
check("[prod] orchestrator resources 1500m/2Gi, limits 6000m/8Gi",
      res(prod, "orchestrator") == {"requests": {"cpu": "1500m", "memory": "2Gi"}, "limits": {"cpu": "6000m", "memory": "8Gi"}})
orch = hft_container(get(prod, "Deployment", "hft-crypto-bot-orchestrator"))
check("[prod] orchestrator EVOP_MAX_CHALLENGERS=5 CHAMPION_INITIAL_CAPITAL=500000.0 EVOP_CONFIDENCE_LEVEL=0.99",
      (env_value(orch, "EVOP_MAX_CHALLENGERS"), env_value(orch, "CHAMPION_INITIAL_CAPITAL"), env_value(orch, "EVOP_CONFIDENCE_LEVEL"))
      == ("5", "500000.0", "0.99"))
pvc = get(prod, "PersistentVolumeClaim", "hft-crypto-bot-registry")
check("[prod] registry PVC (20Gi, ReadWriteOnce) mounted by the orchestrator at /var/lib/hft-host",
      pvc and pvc["spec"]["accessModes"] == ["ReadWriteOnce"] and pvc["spec"]["resources"]["requests"]["storage"] == "20Gi"
      and {"name": "data", "persistentVolumeClaim": {"claimName": "hft-crypto-bot-registry"}}
      in get(prod, "Deployment", "hft-crypto-bot-orchestrator")["spec"]["template"]["spec"]["volumes"])
check("[prod] orchestrator Deployment uses Recreate (one pod on the volume)",
      get(prod, "Deployment", "hft-crypto-bot-orchestrator")["spec"]["strategy"]["type"] == "Recreate")
sec = get(prod, "Secret", "hft-crypto-bot-admin")
check("[prod] chart-created admin Secret with a token (no existing Secret given)",
      sec and len(base64.b64decode(sec["data"]["token"])) == 48
      and env_of(orch)["HFT_ADMIN_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "hft-crypto-bot-admin", "key": "token"})
kafka = get(prod, "StatefulSet", "hft-crypto-bot-kafka")
kenv = {e["name"]: e.get("value") for e in kafka["spec"]["template"]["spec"]["containers"][0]["env"]} if kafka else {}
check("[prod] in-chart Kafka: 3-node KRaft StatefulSet (broker,controller) with volumes",
      kafka and kafka["spec"]["replicas"] == 3 and kenv.get("KAFKA_PROCESS_ROLES") == "broker,controller"
      and kenv.get("KAFKA_CONTROLLER_QUORUM_VOTERS", "").count("@") == 3 and kafka["spec"].get("volumeClaimTemplates"))
redis = get(prod, "StatefulSet", "hft-crypto-bot-redis")
check("[prod] in-chart Redis StatefulSet with a volume and a password from the Secret",
      redis and redis["spec"].get("volumeClaimTemplates")
      and env_of(redis["spec"]["template"]["spec"]["containers"][0])["REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "hft-crypto-bot-redis")
check("[prod] roles use the in-chart Kafka and Redis",
      env_value(orch, "HFT_BUS__KAFKA__BOOTSTRAP_SERVERS") == "hft-crypto-bot-kafka.hft-production.svc:9092"
      and env_value(orch, "HFT_STATE__REDIS_URL") == "redis://:$(REDIS_PASSWORD)@hft-crypto-bot-redis.hft-production.svc:6379/0"
      and env_value(orch, "HFT_STATE__NAMESPACE") == "hft-crypto-bot")
job = get(prod, "Job", "hft-crypto-bot-kafka-topics")
script = job["spec"]["template"]["spec"]["containers"][0]["command"][-1] if job else ""
check("[prod] topics Job (post-install hook) creates the six topics with replication 3",
      job and "post-install" in job["metadata"]["annotations"].get("helm.sh/hook", "")
      and all(f'--topic "{t}"' in script for t in ["hft.market-data", "hft.signals", "hft.orders", "hft.fills", "hft.control", "hft.dead-letter"])
      and script.count("--replication-factor 3") == 6 and env_value(orch, "HFT_BUS__TOPICS__REPLICATION") == "3")
cron = get(prod, "CronJob", "data-backup")
check("[prod] data-backup CronJob on the registry volume, next to the orchestrator",
      cron and {"name": "data", "persistentVolumeClaim": {"claimName": "hft-crypto-bot-registry"}}
      in cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["volumes"]
      and "podAffinity" in cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["affinity"]
      and "--rdb" in cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["command"][-1])
sm = by_kind(prod, "ServiceMonitor")
check("[prod] ServiceMonitor scrapes http-metrics /metrics of the role Services",
      len(sm) == 1 and sm[0]["spec"]["endpoints"][0]["port"] == "http-metrics" and sm[0]["spec"]["endpoints"][0]["path"] == "/metrics"
      and set(sm[0]["spec"]["selector"]["matchExpressions"][0]["values"]) == set(ROLES))
pr = by_kind(prod, "PrometheusRule")
alerts = {r["alert"]: r["expr"] for g in pr[0]["spec"]["groups"] for r in g["rules"]} if pr else {}
check("[prod] PrometheusRule alerts: host down, plugin quarantined, risk HALTED, consumer lag, drawdown",
      {"HftHostDown", "HftPluginQuarantined", "HftRiskHalted", "HftConsumerLag", "HftDrawdown"} <= set(alerts), sorted(alerts))
check("[prod] HftRiskHalted fires on hft_risk_state == 2", "hft_risk_state" in alerts.get("HftRiskHalted", "") and alerts["HftRiskHalted"].endswith("== 2"))
dash_cm = [d for d in by_kind(prod, "ConfigMap") if d["metadata"]["labels"].get("grafana_dashboard") == "1"]
dash = json.loads(next(iter(dash_cm[0]["data"].values()))) if dash_cm else {}
exprs = " ".join(t["expr"] for p in dash.get("panels", []) for t in p["targets"])
check("[prod] Grafana dashboard ConfigMap (label grafana_dashboard=1) shows PnL, latency, swaps, risk state and lag",
      all(m in exprs for m in ["hft_pnl", "hft_tick_to_order_seconds_bucket", "hft_plugin_swaps_total", "hft_risk_state", "hft_consumer_lag"])
      and "hft-production" in json.dumps(dash.get("templating")))
used = set(re.findall(r"\b(hft_[a-z_]+)", exprs + " ".join(alerts.values())))
used = {re.sub(r"_(bucket|sum|count)$", "", m) for m in used}
check("[prod] dashboard and alerts use only the metrics the host exports", used <= METRICS, used - METRICS)
check("[prod] labels environment=production, track=stable on every object",
      all(d["metadata"]["labels"].get("hft-host/environment") == "production" and d["metadata"]["labels"].get("hft-host/track") == "stable"
          for d in prod))
check("[prod] no Istio objects, no ResourceQuota by default",
      not by_kind(prod, "VirtualService") and not by_kind(prod, "ResourceQuota"))

# ---------------------------------------------------------------- staging
stg, _ = load("staging")
common("staging", stg, "hft-staging")
h = hpa(stg, "hft-crypto-bot-ingestion")
check("[staging] ingestion HPA 1-3 at 60% CPU",
      h and (h["spec"]["minReplicas"], h["spec"]["maxReplicas"]) == (1, 3) and metric_targets(h) == {"cpu": 60}, h and h["spec"])
o = hft_container(get(stg, "Deployment", "hft-crypto-bot-orchestrator"))
check("[staging] EVOP_MAX_CHALLENGERS=2 CHAMPION_INITIAL_CAPITAL=10000.0 EVOP_CONFIDENCE_LEVEL=0.8",
      (env_value(o, "EVOP_MAX_CHALLENGERS"), env_value(o, "CHAMPION_INITIAL_CAPITAL"), env_value(o, "EVOP_CONFIDENCE_LEVEL"))
      == ("2", "10000.0", "0.8"))
smaller = all(cpu(res(stg, r)["requests"]["cpu"]) < cpu(res(prod, r)["requests"]["cpu"])
              and mem(res(stg, r)["limits"]["memory"]) < mem(res(prod, r)["limits"]["memory"]) for r in ROLES)
check("[staging] every role has smaller resources than production", smaller)
check("[staging] persistence off: registry on an emptyDir, no PVC, no backup CronJob",
      not by_kind(stg, "PersistentVolumeClaim") and not by_kind(stg, "CronJob")
      and {"name": "data", "emptyDir": {}} in get(stg, "Deployment", "hft-crypto-bot-orchestrator")["spec"]["template"]["spec"]["volumes"])
check("[staging] environment label staging", all(d["metadata"]["labels"].get("hft-host/environment") == "staging" for d in stg))
check("[staging] no PDB where a role runs one pod", not by_kind(stg, "PodDisruptionBudget"))

# ---------------------------------------------------------------- existing Secrets
ex, ex_text = load("existing-secret")
common("existing-secret", ex, "hft-production")
o = hft_container(get(ex, "Deployment", "hft-crypto-bot-orchestrator"))
check("[existing-secret] no chart-created Secret at all", not by_kind(ex, "Secret"), [s["metadata"]["name"] for s in by_kind(ex, "Secret")])
check("[existing-secret] the token is read from the named Secret and key",
      env_of(o)["HFT_ADMIN_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "prod-admin", "key": "admin-token"}
      and env_of(o)["REDIS_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "prod-redis", "key": "password"})
enc = lambda s: base64.b64encode(s.encode()).decode()
check("[existing-secret] neither the token nor the password is rendered, in clear or base64",
      all(s not in ex_text for s in [SECRET_SENTINEL, enc(SECRET_SENTINEL), REDIS_SENTINEL, enc(REDIS_SENTINEL)]))

tk, tk_text = load("token")
s = get(tk, "Secret", "hft-crypto-bot-admin")
check("[token] a given token is only in the admin Secret, base64-encoded",
      s and base64.b64decode(s["data"]["token"]).decode() == SECRET_SENTINEL and SECRET_SENTINEL not in tk_text)

# ---------------------------------------------------------------- canary, DR, blue-green
can, _ = load("canary")
common("canary", can, "hft-production")
check("[canary] every object labelled hft-host/track=canary", all(d["metadata"]["labels"].get("hft-host/track") == "canary" for d in can))
bounds = {h["metadata"]["name"]: (h["spec"]["minReplicas"], h["spec"]["maxReplicas"]) for h in by_kind(can, "HorizontalPodAutoscaler")}
check("[canary] replica counts lowered: every HPA 1..2",
      bounds and all(b == (1, 2) for b in bounds.values()), bounds)
check("[canary] selectors unchanged (no track label in selectors)",
      all("hft-host/track" not in d["spec"]["selector"]["matchLabels"] for d in by_kind(can, "Deployment")))
dr, _ = load("dr")
common("dr", dr, "hft-production")
check("[dr] environment=disaster-recovery label and annotation on every object",
      all(d["metadata"]["labels"].get("hft-host/environment") == "disaster-recovery"
          and d["metadata"]["annotations"].get("hft-host/environment") == "disaster-recovery" for d in dr))
gr, _ = load("green")
common("green", gr, "hft-production", release="hft-crypto-bot-green")
check("[green] blue-green: objects named hft-crypto-bot-green-*, selectors by instance",
      get(gr, "Deployment", "hft-crypto-bot-green-strategy") is not None
      and all(d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/instance"] == "hft-crypto-bot-green" for d in by_kind(gr, "Deployment")))
check("[green] its own state key namespace", env_value(hft_container(get(gr, "Deployment", "hft-crypto-bot-green-risk")), "HFT_STATE__NAMESPACE") == "hft-crypto-bot-green")

# ---------------------------------------------------------------- external Kafka and Redis
ext, ext_text = load("external")
common("external", ext, "hft-production")
o = hft_container(get(ext, "Deployment", "hft-crypto-bot-orchestrator"))
check("[external] no Kafka or Redis StatefulSets", not by_kind(ext, "StatefulSet"))
check("[external] roles use the external bootstrap servers and Redis URL (password via $(REDIS_PASSWORD))",
      env_value(o, "HFT_BUS__KAFKA__BOOTSTRAP_SERVERS") == "b-1.kafka.example:9092,b-2.kafka.example:9092"
      and env_value(o, "HFT_STATE__REDIS_URL") == "rediss://:$(REDIS_PASSWORD)@redis.example:6380/2")
job = get(ext, "Job", "hft-crypto-bot-kafka-topics")
check("[external] the topics Job targets the external cluster",
      job and env_value(job["spec"]["template"]["spec"]["containers"][0], "BOOTSTRAP") == "b-1.kafka.example:9092,b-2.kafka.example:9092")

# ---------------------------------------------------------------- optional extras
xt, _ = load("extras")
common("extras", xt, "hft-production")
vs = by_kind(xt, "VirtualService")
dr_ = by_kind(xt, "DestinationRule")
check("[extras] Istio VirtualService (timeout, retries) and DestinationRule (connection pool) per role",
      len(vs) == 5 and len(dr_) == 5 and all(v["spec"]["http"][0]["timeout"] == "5s" for v in vs)
      and all(d["spec"]["trafficPolicy"]["connectionPool"]["tcp"]["maxConnections"] == 100 for d in dr_))
rq = by_kind(xt, "ResourceQuota")
check("[extras] ResourceQuota rendered when enabled", len(rq) == 1 and rq[0]["spec"]["hard"]["requests.cpu"] == "40")
d = get(xt, "Deployment", "hft-crypto-bot-strategy")["spec"]["template"]["spec"]
check("[extras] nodeSelector, tolerations and affinity reach the pods",
      d.get("nodeSelector") == {"pool": "trading"} and d.get("tolerations") and d.get("affinity"))
pvc = get(xt, "PersistentVolumeClaim", "hft-crypto-bot-registry")
check("[extras] storageClass, size and accessMode of the registry PVC",
      pvc and pvc["spec"]["storageClassName"] == "fast-ssd" and pvc["spec"]["resources"]["requests"]["storage"] == "50Gi"
      and pvc["spec"]["accessModes"] == ["ReadWriteMany"] and "affinity" not in get(xt, "CronJob", "data-backup")["spec"]["jobTemplate"]["spec"]["template"]["spec"])

pm, _ = load("pdb-max")
common("pdb-max", pm, "hft-production")
check("[pdb-max] maxUnavailable 50% when chosen", all(p["spec"].get("maxUnavailable") == "50%" and "minAvailable" not in p["spec"]
                                                      for p in by_kind(pm, "PodDisruptionBudget")) and by_kind(pm, "PodDisruptionBudget"))

cc, _ = load("config-changed")
a = {d["metadata"]["name"]: d["spec"]["template"]["metadata"]["annotations"]["checksum/config"] for d in by_kind(prod, "Deployment")}
b = {d["metadata"]["name"]: d["spec"]["template"]["metadata"]["annotations"]["checksum/config"] for d in by_kind(cc, "Deployment")}
check("[config-changed] a config change changes every pod's checksum (rolls the pods)", a.keys() == b.keys() and all(a[k] != b[k] for k in a))

print(f"{'FAIL' if failures else 'PASS'}: chart assertions ({failures} failed)")
sys.exit(1 if failures else 0)
