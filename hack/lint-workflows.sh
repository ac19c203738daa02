#!/usr/bin/env bash
# Lints the GitHub Actions configuration: every workflow of .github/workflows with actionlint, the
# `run:` scripts inside them with shellcheck (through actionlint), and the shell scripts of
# .github/actions with shellcheck. Exits non-zero on any problem, or when a checker is missing.
#
#   hack/lint-workflows.sh
#
# Checkers:
#   - actionlint: $ACTIONLINT if set, else the binary hack/tools.sh builds (built now when missing)
#   - shellcheck: $SHELLCHECK if set, else from PATH; installed from Debian when missing (as root)
#   - pyflakes: only for `shell: python` steps; there are none, and one without pyflakes installed
#     is an error rather than a step left unchecked
#
# actionlint knows the inputs of popular actions by major tag (actions/checkout@v4), while the
# workflows pin exact release tags (@v4.2.2), which it cannot look up. So a second pass lints a
# copy of .github whose tags are cut to their major version: every `with:` is checked against the
# action's real inputs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

log() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'hack/lint-workflows.sh: %s\n' "$*" >&2
  exit 1
}

find_actionlint() {
  local bin
  if [[ -n ${ACTIONLINT:-} ]]; then
    [[ -x $ACTIONLINT ]] || die "ACTIONLINT=$ACTIONLINT is not an executable"
    echo "$ACTIONLINT"
    return
  fi
  if ! bin=$("$ROOT/hack/tools.sh" path actionlint 2>/dev/null); then
    log "building actionlint (hack/tools.sh install actionlint)"
    "$ROOT/hack/tools.sh" install actionlint >&2 || die "could not build actionlint"
    bin=$("$ROOT/hack/tools.sh" path actionlint) || die "actionlint is still not built"
  fi
  echo "$bin"
}

find_shellcheck() {
  if [[ -n ${SHELLCHECK:-} ]]; then
    [[ -x $SHELLCHECK ]] || die "SHELLCHECK=$SHELLCHECK is not an executable"
    echo "$SHELLCHECK"
    return
  fi
  if ! command -v shellcheck >/dev/null; then
    [[ $(id -u) == 0 ]] || die "shellcheck is not installed: apt-get install shellcheck (as root), or set SHELLCHECK"
    log "installing shellcheck (Debian)"
    apt-get -o DPkg::Lock::Timeout=900 update -qq >&2 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq shellcheck >&2 ||
      die "could not install shellcheck"
  fi
  command -v shellcheck
}

# pyflakes_flag: actionlint's -pyflakes value; empty (python checks off) only when nothing needs it.
pyflakes_flag() {
  if command -v pyflakes >/dev/null; then
    command -v pyflakes
  elif grep -rqE '^[[:space:]]*shell:[[:space:]]*python' .github/workflows .github/actions 2>/dev/null; then
    die "a workflow step runs Python and pyflakes is not installed: apt-get install pyflakes3"
  fi
}

main() {
  local actionlint shellcheck pyflakes status=0
  local -a workflows scripts
  [[ -d .github/workflows ]] || die "no .github/workflows"
  mapfile -t workflows < <(find .github/workflows -maxdepth 1 -type f \( -name '*.yml' -o -name '*.yaml' \) | sort)
  [[ ${#workflows[@]} -gt 0 ]] || die "no workflow in .github/workflows"

  actionlint=$(find_actionlint)
  shellcheck=$(find_shellcheck)
  pyflakes=$(pyflakes_flag)
  log "actionlint $("$actionlint" -version | head -n 1), shellcheck $("$shellcheck" --version | sed -n 's/^version: //p')${pyflakes:+, pyflakes}"

  log "actionlint: ${workflows[*]}"
  "$actionlint" -shellcheck "$shellcheck" -pyflakes "$pyflakes" "${workflows[@]}" || status=1

  log "actionlint, action inputs (exact tags cut to their major version)"
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  cp -R .github "$WORK/"
  git -C "$WORK" init -q
  find "$WORK/.github" -type f \( -name '*.yml' -o -name '*.yaml' \) -exec \
    sed -i -E 's#(uses:[[:space:]]*[^./][^@[:space:]]*@v[0-9]+)\.[0-9][0-9.]*#\1#' {} +
  # Scripts were checked by the first pass: this one looks at action inputs only.
  (cd "$WORK" && "$actionlint" -shellcheck "" -pyflakes "") || status=1

  mapfile -t scripts < <(find .github -type f -name '*.sh' | sort)
  if [[ ${#scripts[@]} -gt 0 ]]; then
    log "shellcheck: ${scripts[*]}"
    "$shellcheck" "${scripts[@]}" || status=1
  fi

  if ((status == 0)); then
    log "no problems in ${#workflows[@]} workflows, ${#scripts[@]} scripts"
  else
    log "problems found (above)"
  fi
  return "$status"
}

main "$@"
