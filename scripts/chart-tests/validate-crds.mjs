// Validates the ServiceMonitor and PrometheusRule objects of rendered
// manifests against the prometheus-operator CRD schemas shipped in npm's
// @kubernetes-models/prometheus-operator (installed by scripts/install-helm.sh).
//
//   node validate-crds.mjs <node-dir> <objects.json>...
//
// Each JSON file holds an array of Kubernetes objects (the rendered YAML,
// converted by test-chart.sh). Prints one line per CRD object and exits 1
// if any is invalid or if a file has none of the kinds it expects.
// These schemas check types, patterns and required fields; like the CRDs
// they come from, they do not reject unknown fields (the assertion script
// checks the fields the chart sets).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [nodeDir, ...files] = process.argv.slice(2);
if (!nodeDir || files.length === 0) {
  console.error("usage: node validate-crds.mjs <node-dir> <objects.json>...");
  process.exit(2);
}
// The package's "exports" map hides its subpaths; import the module file
// itself. Its own imports resolve from <node-dir>/node_modules.
const v1 = await import(
  pathToFileURL(`${nodeDir}/node_modules/@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/index.js`).href
);
const models = { ServiceMonitor: v1.ServiceMonitor, PrometheusRule: v1.PrometheusRule };

let failed = 0;
for (const file of files) {
  const objects = JSON.parse(readFileSync(file, "utf8"));
  let seen = 0;
  for (const obj of objects) {
    if (!obj || obj.apiVersion !== "monitoring.coreos.com/v1") continue;
    const Model = models[obj.kind];
    const what = `${file}: ${obj.kind}/${obj.metadata?.name}`;
    if (!Model) {
      console.log(`FAIL ${what}: no schema for this kind`);
      failed++;
      continue;
    }
    seen++;
    try {
      new Model(obj).validate();
      console.log(`ok   ${what}`);
    } catch (e) {
      console.log(`FAIL ${what}: ${e.message}`);
      failed++;
    }
  }
  if (seen === 0) {
    console.log(`FAIL ${file}: no ServiceMonitor or PrometheusRule to validate`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
