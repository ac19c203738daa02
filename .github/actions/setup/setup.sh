#!/usr/bin/env bash
# The stack part of .github/actions/setup: its inputs arrive as environment variables (STACK,
# KUBECONFIG_CONTENT, ACCESS_TOKEN, BACKEND_URL, PASSPHRASE, REGISTRY_*). Exports for the job's
# later steps, through $GITHUB_ENV:
#   KUBECONFIG                the stack's kubeconfig, written to $RUNNER_TEMP with mode 0600
#   PULUMI_ACCESS_TOKEN       Pulumi Cloud, or a self-hosted Pulumi Cloud at PULUMI_BACKEND_URL
#   PULUMI_BACKEND_URL        when set: a self-managed backend (s3://, gs://, azblob://, file://)
#   PULUMI_CONFIG_PASSPHRASE  with a self-managed backend: the stacks' secrets are passphrase-encrypted
#   PULUMI_SKIP_UPDATE_CHECK  true
#   PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER  true: a stack file without secrets-provider settings
#                             (no encryptionsalt committed) uses the one recorded in the stack's
#                             state, as hack/lib/pulumi-env.sh does locally, rather than a new one
# and prints the step output pulumi-version (the Pulumi SDK version of go.mod, for the CLI).
# Every missing setting fails the job with an annotation naming the secret or variable to create.
set -euo pipefail

fail() {
  printf '::error title=Pulumi job setup (%s)::%s\n' "${STACK:-?}" "$*"
  exit 1
}

# put_env NAME VALUE: export NAME=VALUE to the following steps (single-line values only).
put_env() {
  [[ $2 != *$'\n'* ]] || fail "$1 must be a single line"
  printf '%s=%s\n' "$1" "$2" >>"$GITHUB_ENV"
}

[[ -n ${STACK:-} ]] || fail "no stack given"
# The workflows read the secret KUBECONFIG_<stack>: secret names allow only letters, digits and _.
[[ $STACK =~ ^[A-Za-z0-9_]+$ ]] ||
  fail "stack name '$STACK' cannot be part of a secret name: use only letters, digits and _"
secret_suffix=${STACK^^}

# --- State backend ----------------------------------------------------------------------------
if [[ -n ${BACKEND_URL:-} ]]; then
  case $BACKEND_URL in
  https://* | http://*)
    [[ -n ${ACCESS_TOKEN:-} ]] || fail "PULUMI_BACKEND_URL is a Pulumi Cloud endpoint: create the secret PULUMI_ACCESS_TOKEN"
    ;;
  *)
    [[ -n ${PASSPHRASE:-} ]] ||
      fail "PULUMI_BACKEND_URL is a self-managed backend: create the secret PULUMI_CONFIG_PASSPHRASE (the stacks' secrets passphrase)"
    ;;
  esac
  put_env PULUMI_BACKEND_URL "$BACKEND_URL"
elif [[ -z ${ACCESS_TOKEN:-} ]]; then
  fail "no state backend: create the secret PULUMI_ACCESS_TOKEN (Pulumi Cloud), or the variable PULUMI_BACKEND_URL and the secret PULUMI_CONFIG_PASSPHRASE (self-managed)"
fi
[[ -z ${ACCESS_TOKEN:-} ]] || put_env PULUMI_ACCESS_TOKEN "$ACCESS_TOKEN"
[[ -z ${PASSPHRASE:-} ]] || put_env PULUMI_CONFIG_PASSPHRASE "$PASSPHRASE"
put_env PULUMI_SKIP_UPDATE_CHECK true
put_env PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER true

# --- Kubeconfig -------------------------------------------------------------------------------
[[ -n ${KUBECONFIG_CONTENT:-} ]] ||
  fail "no kubeconfig for stack $STACK: create the secret KUBECONFIG_$secret_suffix (the kubeconfig file's content)"
content=$KUBECONFIG_CONTENT
if ! grep -q '^clusters:' <<<"$content"; then
  # Also accepted: the file base64-encoded (`base64 -w0 kubeconfig`).
  if ! content=$(base64 -d <<<"$content" 2>/dev/null) || ! grep -q '^clusters:' <<<"$content"; then
    fail "KUBECONFIG_$secret_suffix is neither a kubeconfig (no top-level clusters:) nor a base64-encoded one"
  fi
fi
kubeconfig=$RUNNER_TEMP/kubeconfig-$STACK
(
  umask 077
  printf '%s\n' "$content" >"$kubeconfig"
)
chmod 600 "$kubeconfig"
put_env KUBECONFIG "$kubeconfig"

# --- Registry -----------------------------------------------------------------------------------
if [[ -n ${REGISTRY_USERNAME:-} ]]; then
  [[ -n ${REGISTRY_SERVER:-} ]] || fail "REGISTRY_USERNAME is set: create the variable REGISTRY_SERVER (the registry host)"
  [[ -n ${REGISTRY_PASSWORD:-} ]] || fail "REGISTRY_USERNAME is set: create the secret REGISTRY_PASSWORD"
fi

# --- Pulumi CLI version: the SDK's, so that CI runs what go.mod and hack/tools.sh pin ---------
version=$(awk '$1 == "github.com/pulumi/pulumi/sdk/v3" { print $2; exit }' go.mod)
[[ -n $version ]] || fail "github.com/pulumi/pulumi/sdk/v3 is not required in go.mod"
printf 'pulumi-version=%s\n' "${version#v}" >>"$GITHUB_OUTPUT"
