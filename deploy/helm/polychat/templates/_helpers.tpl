{{/* Names and labels shared by every resource of the release. */}}

{{- define "polychat.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "polychat.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "polychat.instanceLabels" -}}
app.kubernetes.io/name: {{ include "polychat.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The server's pods; the migration Job's pods have another component, so the Service never sends them requests. */}}
{{- define "polychat.selectorLabels" -}}
{{ include "polychat.instanceLabels" . }}
app.kubernetes.io/component: server
{{- end -}}

{{- define "polychat.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "polychat.instanceLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "polychat.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The Secret the pods read: the existing one, or the chart's. */}}
{{- define "polychat.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "polychat.fullname" .) -}}
{{- end -}}

{{/*
The keys of the Secret, each with the value it gets from values.yaml and whether the app
cannot start without it. File keys reach the app as files, the others as variables.
*/}}
{{- define "polychat.secretKeys" -}}
{{- $s := .Values.secrets -}}
APP_MASTER_KEY: {value: {{ $s.appMasterKey | quote }}, required: true, file: true}
APP_MASTER_KEY_PREVIOUS: {value: {{ $s.appMasterKeyPrevious | quote }}, required: false, file: true}
JWT_SECRET: {value: {{ $s.jwtSecret | quote }}, required: true, file: true}
METRICS_TOKEN: {value: {{ $s.metricsToken | quote }}, required: false, file: true}
DATABASE_URL: {value: {{ $s.databaseUrl | quote }}, required: true, file: false}
MONGODB_URL: {value: {{ $s.mongodbUrl | quote }}, required: true, file: false}
REDIS_URL: {value: {{ $s.redisUrl | quote }}, required: true, file: false}
EMBEDDINGS_API_KEY: {value: {{ $s.embeddingsApiKey | quote }}, required: false, file: false}
{{- end -}}

{{/*
The keys the Secret holds, as a YAML map of key to {value, file}: every required key, and
an optional one when its value is set (or the existing Secret is said to hold it). Stops
the release when a required value is missing or a secret was put in `config`.
*/}}
{{- define "polychat.presentSecretKeys" -}}
{{- $keys := include "polychat.secretKeys" . | fromYaml -}}
{{- $existing := .Values.secrets.existingSecret -}}
{{- $present := dict -}}
{{- range .Values.secrets.existingSecretOptionalKeys -}}
{{- $spec := get $keys . -}}
{{- if or (not $spec) $spec.required -}}
{{- fail (printf "secrets.existingSecretOptionalKeys: %s is not one of APP_MASTER_KEY_PREVIOUS, METRICS_TOKEN, EMBEDDINGS_API_KEY" .) -}}
{{- end -}}
{{- end -}}
{{- range $key, $spec := $keys -}}
{{- if hasKey $.Values.config $key -}}
{{- fail (printf "%s is a secret: set it under secrets, not config" $key) -}}
{{- end -}}
{{- if $existing -}}
{{- if or $spec.required (has $key $.Values.secrets.existingSecretOptionalKeys) -}}
{{- $_ := set $present $key $spec -}}
{{- end -}}
{{- else if $spec.value -}}
{{- $_ := set $present $key $spec -}}
{{- else if $spec.required -}}
{{- fail (printf "secrets: the value for %s is missing (or name a Secret in secrets.existingSecret)" $key) -}}
{{- end -}}
{{- end -}}
{{- toYaml $present -}}
{{- end -}}

{{- define "polychat.hasMetricsToken" -}}
{{- if hasKey (include "polychat.presentSecretKeys" . | fromYaml) "METRICS_TOKEN" -}}true{{- end -}}
{{- end -}}

{{/*
The pod spec of the server and of the migration Job: image, environment, Secret files,
security context. Takes a dict: root (the chart's context), configMap and secret (the
names to read), args (the command line), resources.
*/}}
{{- define "polychat.podSpec" -}}
{{- $root := .root -}}
{{- $present := include "polychat.presentSecretKeys" $root | fromYaml -}}
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
# The app calls no Kubernetes API.
automountServiceAccountToken: false
securityContext:
  {{- toYaml $root.Values.podSecurityContext | nindent 2 }}
containers:
  - name: polychat
    image: {{ include "polychat.image" $root }}
    imagePullPolicy: {{ $root.Values.image.pullPolicy }}
    args: {{ toJson .args }}
    envFrom:
      - configMapRef:
          name: {{ .configMap }}
    env:
      {{- range $key, $spec := $present }}
      {{- if $spec.file }}
      - name: {{ $key }}_FILE
        value: /run/secrets/polychat/{{ $key }}
      {{- else }}
      - name: {{ $key }}
        valueFrom:
          secretKeyRef:
            name: {{ $.secret }}
            key: {{ $key }}
      {{- end }}
      {{- end }}
    securityContext:
      {{- toYaml $root.Values.securityContext | nindent 6 }}
    resources:
      {{- toYaml .resources | nindent 6 }}
    volumeMounts:
      - name: secrets
        mountPath: /run/secrets/polychat
        readOnly: true
    {{- with .extra }}
    {{- . | nindent 4 }}
    {{- end }}
volumes:
  # Files rather than variables: a variable passes on to every child process and shows in
  # /proc/<pid>/environ; these files are readable by the app's group only.
  - name: secrets
    secret:
      secretName: {{ .secret }}
      # Readable by the app's group (fsGroup), by no one else.
      defaultMode: 0440
      items:
        {{- range $key, $spec := $present }}
        {{- if $spec.file }}
        - key: {{ $key }}
          path: {{ $key }}
        {{- end }}
        {{- end }}
{{- end -}}

{{/* What the server's container has beyond the migration Job's: its port, probes, pause. */}}
{{- define "polychat.serverContainer" -}}
ports:
  - name: http
    containerPort: {{ include "polychat.port" . }}
    protocol: TCP
livenessProbe:
  httpGet: {path: /health, port: http}
  {{- toYaml .Values.probes.liveness | nindent 2 }}
readinessProbe:
  httpGet: {path: /ready, port: http}
  {{- toYaml .Values.probes.readiness | nindent 2 }}
lifecycle:
  # SIGTERM only once the endpoints have dropped the pod, so no new request reaches a
  # server that stopped accepting.
  preStop:
    exec:
      command: ["sleep", "5"]
{{- end -}}

{{/* The port of config.HTTP_ADDR, which must listen beyond loopback for the kubelet to probe it. */}}
{{- define "polychat.port" -}}
{{- $addr := required "config.HTTP_ADDR is needed (e.g. 0.0.0.0:8080): the binary listens on loopback by default" .Values.config.HTTP_ADDR -}}
{{- if or (hasPrefix "127." $addr) (hasPrefix "[::1]" $addr) (hasPrefix "localhost" $addr) -}}
{{- fail "config.HTTP_ADDR must not be a loopback address: probes and the Service could not reach it" -}}
{{- end -}}
{{- splitList ":" $addr | last -}}
{{- end -}}
