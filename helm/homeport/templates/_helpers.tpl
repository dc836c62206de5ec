{{/* Names, labels and small shared pieces of the Homeport chart. */}}

{{- define "homeport.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "homeport.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "homeport.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "homeport.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Name of one component's objects: <fullname>-<component>. */}}
{{- define "homeport.componentName" -}}
{{- printf "%s-%s" (include "homeport.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "homeport.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: homeport
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
homeport.dev/region: {{ .Values.region | quote }}
{{- end -}}

{{/* Selector labels of one component; call with (dict "root" . "component" "frontdoor"). */}}
{{- define "homeport.selectorLabels" -}}
app.kubernetes.io/name: {{ include "homeport.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "homeport.componentLabels" -}}
{{ include "homeport.labels" .root }}
{{ include "homeport.selectorLabels" . }}
{{- end -}}

{{/* image: repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "homeport.image" -}}
{{- printf "%s:%s" .image.repository (default .root.Chart.AppVersion .image.tag) -}}
{{- end -}}

{{- define "homeport.frontDoor.serviceAccountName" -}}
{{- if .Values.frontDoor.serviceAccount.create -}}
{{- default (include "homeport.componentName" (dict "root" . "component" "frontdoor")) .Values.frontDoor.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.frontDoor.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "homeport.operator.serviceAccountName" -}}
{{- if .Values.operator.serviceAccount.create -}}
{{- default (include "homeport.componentName" (dict "root" . "component" "operator")) .Values.operator.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.operator.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The URI of the bundled Redis, when it is enabled. */}}
{{- define "homeport.bundledRedisUri" -}}
{{- printf "redis://%s:%v" (include "homeport.componentName" (dict "root" . "component" "redis")) .Values.bundledRedis.port -}}
{{- end -}}

{{/* The front-door's configuration file; secrets and the Redis URI from a Secret come as env. */}}
{{- define "homeport.frontDoor.config" -}}
{{- $fd := .Values.frontDoor -}}
{{- $redis := dict "cluster" $fd.redis.cluster -}}
{{- if and (not $fd.redis.existingSecret) $fd.redis.uri -}}
{{- $_ := set $redis "uri" $fd.redis.uri -}}
{{- else if and (not $fd.redis.existingSecret) .Values.bundledRedis.enabled -}}
{{- $_ := set $redis "uri" (include "homeport.bundledRedisUri" .) -}}
{{- end -}}
{{- $generated := dict
      "region" .Values.region
      "backend" $fd.backend
      "redis" $redis
      "listen" (dict "host" "0.0.0.0" "public" $fd.ports.public "admin" $fd.ports.admin) -}}
{{- toYaml (merge $generated (deepCopy $fd.config)) -}}
{{- end -}}
