#!/usr/bin/env python3
"""Checks the deploy examples under deploy/ (issue 6): they parse, point at
the real chart path and values files, set only values the chart has, and
what they would install renders and passes the schema.

    check_deploy.py <helm> <out-dir>

Writes the manifests each Argo CD Application would apply to
<out-dir>/argocd-<name>.yaml (validated afterwards by test-chart.sh).
"""

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
HELM, OUT = sys.argv[1], Path(sys.argv[2])
failures = 0


def check(name, cond, detail=""):
    global failures
    print(f"{'PASS' if cond else 'FAIL'} {name}{'' if cond or not detail else ': ' + str(detail)}")
    failures += 0 if cond else 1


def has_value(values, dotted):
    node = values
    for k in dotted.split("."):
        if not isinstance(node, dict) or k not in node:
            return False
        node = node[k]
    return True


chart_values = yaml.safe_load((ROOT / "charts/hft-crypto-bot/values.yaml").read_text())

# ---- the GitHub Actions workflow
wf_path = ROOT / "deploy/github-actions/deploy-staging.yml"
wf = yaml.safe_load(wf_path.read_text())
check("workflow parses as YAML with jobs", isinstance(wf, dict) and "jobs" in wf)
job = next(iter(wf["jobs"].values()))
env = job.get("env", {})
runs = "\n".join(s.get("run", "") for s in job["steps"])
check("workflow: CHART is the chart directory", (ROOT / env.get("CHART", "") / "Chart.yaml").is_file(), env.get("CHART"))
check("workflow: VALUES is the staging values file", env.get("VALUES") == "charts/hft-crypto-bot/values-staging.yaml"
      and (ROOT / env["VALUES"]).is_file())
check("workflow: runs helm upgrade --install of $CHART with -f $VALUES",
      'helm upgrade --install "$RELEASE" "$CHART"' in runs and '-f "$VALUES"' in runs)
check("workflow: namespace hft-staging", env.get("NAMESPACE") == "hft-staging")
check("workflow: the scripts it calls exist",
      all((ROOT / s).is_file() for s in ["scripts/health-check.sh"] if s in runs) and "scripts/health-check.sh" in runs)
for s in [x for x in runs.split() if x.startswith("image.tag=")]:
    check("workflow: --set keys exist in values.yaml", has_value(chart_values, s.split("=")[0]), s)

# ---- the Argo CD Applications
apps = sorted((ROOT / "deploy/argocd").glob("*.yaml"))
check("two Argo CD Applications", len(apps) == 2, [a.name for a in apps])
for path in apps:
    app = yaml.safe_load(path.read_text())
    name = path.stem
    check(f"{name}: an argoproj.io/v1alpha1 Application", app.get("apiVersion") == "argoproj.io/v1alpha1" and app.get("kind") == "Application")
    src = app["spec"]["source"]
    chart_dir = ROOT / src["path"]
    check(f"{name}: source.path is the chart", src["path"] == "charts/hft-crypto-bot" and (chart_dir / "Chart.yaml").is_file())
    files = src["helm"]["valueFiles"]
    check(f"{name}: every valueFile exists in the chart", all((chart_dir / f).is_file() for f in files), files)
    params = src["helm"].get("parameters", [])
    check(f"{name}: every parameter is a value of the chart", all(has_value(chart_values, p["name"]) for p in params),
          [p["name"] for p in params])
    merged_ns = None
    for f in files:
        v = yaml.safe_load((chart_dir / f).read_text())
        merged_ns = v.get("global", {}).get("namespace", merged_ns)
    dest = app["spec"]["destination"]["namespace"]
    check(f"{name}: destination namespace {dest} is the values' global.namespace", dest == merged_ns, merged_ns)
    cmd = [HELM, "template", src["helm"].get("releaseName", name), str(chart_dir), "--namespace", dest,
           "--kube-version", "1.30.0", "--api-versions", "monitoring.coreos.com/v1"]
    for f in files:
        cmd += ["-f", str(chart_dir / f)]
    for p in params:
        cmd += ["--set", f"{p['name']}={p['value']}"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    check(f"{name}: renders with its values and parameters", r.returncode == 0, r.stderr.strip())
    if r.returncode == 0:
        (OUT / f"argocd-{name}.yaml").write_text(r.stdout)
        docs = [d for d in yaml.safe_load_all(r.stdout) if d]
        check(f"{name}: no chart-generated Secret (GitOps renders without a cluster)", not [d for d in docs if d["kind"] == "Secret"])

sys.exit(1 if failures else 0)
