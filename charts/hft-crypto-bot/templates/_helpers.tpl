{{/*
Naming, labels and shared snippets. Names are cut to 63 characters (the
DNS label limit). `selectorLabels` never change across upgrades
(Deployment and StatefulSet selectors are immutable); everything that may
change (version, environment, track) is only in `labels`.
*/}}

{{- define "hft.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "hft.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* A component's object name: <fullname>-<component>, within 63 characters. */}}
{{- define "hft.componentName" -}}
{{- $full := include "hft.fullname" .root | trunc (int (sub 62 (len .component))) | trimSuffix "-" }}
{{- printf "%s-%s" $full .component }}
{{- end }}

{{- define "hft.namespace" -}}
{{- default .Release.Namespace .Values.global.namespace }}
{{- end }}

{{- define "hft.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "hft.track" -}}
{{- if .Values.global.canary }}canary{{ else }}stable{{ end }}
{{- end }}

{{/* Labels of every object; pass the root context. */}}
{{- define "hft.labels" -}}
helm.sh/chart: {{ include "hft.chart" . }}
app.kubernetes.io/name: {{ include "hft.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hft-host
hft-host/environment: {{ .Values.global.environment }}
hft-host/track: {{ include "hft.track" . }}
{{- with .Values.global.labels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of a component's objects: dict "root" $ "component" "strategy". */}}
{{- define "hft.componentLabels" -}}
{{ include "hft.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Immutable selector labels of a component. */}}
{{- define "hft.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hft.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Annotations of every object (may be empty). */}}
{{- define "hft.annotations" -}}
hft-host/environment: {{ .Values.global.environment }}
hft-host/track: {{ include "hft.track" . }}
{{- with .Values.global.annotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Metadata block of a component's object: dict "root" $ "component" "x" "name" "obj-name". */}}
{{- define "hft.metadata" -}}
name: {{ .name | default (include "hft.componentName" .) }}
namespace: {{ include "hft.namespace" .root }}
labels:
  {{- include "hft.componentLabels" . | nindent 2 }}
annotations:
  {{- include "hft.annotations" .root | nindent 2 }}
{{- end }}

{{- define "hft.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "hft.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "hft.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* The `hft-host run --role` name of a chart role. */}}
{{- define "hft.cliRole" -}}
{{- if eq . "ingestion" }}ingest{{ else }}{{ . }}{{ end }}
{{- end }}

{{/*
Effective replica bounds of a role, as JSON {"replicas", "min", "max", "hpa"}:
a canary release lowers them to global.canaryReplicas / canaryMaxReplicas.
dict "root" $ "role" $roleValues
*/}}
{{- define "hft.replicaBounds" -}}
{{- $v := .root.Values }}
{{- $r := .role }}
{{- $hpa := $r.autoscaling.enabled }}
{{- $replicas := int $r.replicaCount }}
{{- $min := int $r.autoscaling.minReplicas }}
{{- $max := int $r.autoscaling.maxReplicas }}
{{- if $v.global.canary }}
{{- $replicas = min $replicas (int $v.global.canaryReplicas) }}
{{- $min = min $min (int $v.global.canaryReplicas) }}
{{- $max = max $min (min $max (int $v.global.canaryMaxReplicas)) }}
{{- end }}
{{- $floor := $replicas }}
{{- if $hpa }}{{ $floor = $min }}{{ end }}
{{- dict "replicas" $replicas "min" $min "max" $max "hpa" $hpa "floor" $floor | toJson }}
{{- end }}

{{- define "hft.adminSecretName" -}}
{{- default (include "hft.componentName" (dict "root" . "component" "admin")) .Values.admin.existingSecret }}
{{- end }}

{{- define "hft.redisSecretName" -}}
{{- default (include "hft.componentName" (dict "root" . "component" "redis")) .Values.redis.auth.existingSecret }}
{{- end }}

{{- define "hft.kafkaBootstrap" -}}
{{- if .Values.kafka.enabled }}
{{- $svc := include "hft.componentName" (dict "root" . "component" "kafka") }}
{{- printf "%s.%s.svc:9092" $svc (include "hft.namespace" .) }}
{{- else }}
{{- required "kafka.external.bootstrapServers is required when kafka.enabled is false" .Values.kafka.external.bootstrapServers }}
{{- end }}
{{- end }}

{{/*
The state store URL. With a password it holds `$(REDIS_PASSWORD)`, which
the kubelet expands from the REDIS_PASSWORD variable (a secretKeyRef)
defined before it: the password is never in the rendered manifest.
*/}}
{{- define "hft.redisUrl" -}}
{{- $url := "" }}
{{- if .Values.redis.enabled }}
{{- $url = printf "redis://%s.%s.svc:6379/0" (include "hft.componentName" (dict "root" . "component" "redis")) (include "hft.namespace" .) }}
{{- else }}
{{- $url = required "redis.external.url is required when redis.enabled is false" .Values.redis.external.url }}
{{- if not (regexMatch "^rediss?://" $url) }}
{{- fail "redis.external.url must start with redis:// or rediss://" }}
{{- end }}
{{- end }}
{{- if .Values.redis.auth.enabled }}
{{- $url = regexReplaceAll "^(rediss?://)" $url "${1}:$$(REDIS_PASSWORD)@" }}
{{- end }}
{{- $url }}
{{- end }}

{{/* Volume of the registry (orchestrator and backup). */}}
{{- define "hft.registryVolume" -}}
- name: data
{{- if .Values.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ default (include "hft.componentName" (dict "root" . "component" "registry")) .Values.persistence.existingClaim }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- end }}

{{/* Environment shared by the role containers and the backup job: the state store. */}}
{{- define "hft.stateEnv" -}}
{{- if .Values.redis.auth.enabled }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "hft.redisSecretName" . }}
      key: {{ .Values.redis.auth.passwordKey }}
{{- end }}
- name: HFT_STATE__REDIS_URL
  value: {{ include "hft.redisUrl" . | quote }}
- name: HFT_STATE__NAMESPACE
  value: {{ default .Release.Name .Values.stateNamespace | quote }}
{{- end }}

{{/* Checks that span several values; called once from the ConfigMap. */}}
{{- define "hft.validate" -}}
{{- $o := .Values.roles.orchestrator }}
{{- if and .Values.persistence.enabled (eq .Values.persistence.accessMode "ReadWriteOnce") $o.enabled (or (gt (int $o.replicaCount) 1) $o.autoscaling.enabled) }}
{{- fail "roles.orchestrator: one replica and no autoscaling with a ReadWriteOnce registry volume (persistence.accessMode)" }}
{{- end }}
{{- if and .Values.backup.enabled (not .Values.persistence.enabled) }}
{{- fail "backup.enabled needs persistence.enabled: the backups are written to the registry volume" }}
{{- end }}
{{- if and .Values.kafka.enabled (gt (int .Values.kafka.topics.replicationFactor) (int .Values.kafka.replicas)) }}
{{- fail (printf "kafka.topics.replicationFactor (%d) is more than kafka.replicas (%d)" (int .Values.kafka.topics.replicationFactor) (int .Values.kafka.replicas)) }}
{{- end }}
{{- if gt (int .Values.kafka.topics.minInsyncReplicas) (int .Values.kafka.topics.replicationFactor) }}
{{- fail "kafka.topics.minInsyncReplicas is more than kafka.topics.replicationFactor" }}
{{- end }}
{{- $pdb := .Values.podDisruptionBudget }}
{{- if and $pdb.enabled (kindIs "invalid" $pdb.minAvailable) (kindIs "invalid" $pdb.maxUnavailable) }}
{{- fail "podDisruptionBudget: give minAvailable or maxUnavailable" }}
{{- end }}
{{- range $name, $r := .Values.roles }}
{{- if and $r.enabled $r.autoscaling.enabled (gt (int $r.autoscaling.minReplicas) (int $r.autoscaling.maxReplicas)) }}
{{- fail (printf "roles.%s.autoscaling: minReplicas is more than maxReplicas" $name) }}
{{- end }}
{{- end }}
{{- end }}
