# Sourced by the shipped scripts: installs the Debian packages they run, when missing.
#   ensure_packages COMMAND=PACKAGE ...   e.g. ensure_packages wrk=wrk haproxy=haproxy time=/usr/bin/time:time
# A COMMAND may be an absolute path (checked with -x) or a name (looked up on PATH and in /usr/sbin). Installs with
# apt-get, through sudo unless root; one line on stderr says what is installed, and a failure says what to run.
ensure_packages() {
  local wanted=() spec cmd pkg
  for spec in "$@"; do
    cmd=${spec%%=*} pkg=${spec#*=}
    if [[ $cmd == /* ]]; then [[ -x $cmd ]] && continue
    else command -v "$cmd" >/dev/null || [[ -x /usr/sbin/$cmd ]] && continue
    fi
    wanted+=("$pkg")
  done
  [[ ${#wanted[@]} -eq 0 ]] && return 0
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "missing: ${wanted[*]}; install them with: apt-get install ${wanted[*]}" >&2; return 1; }
    sudo=sudo
  fi
  echo "installing ${wanted[*]} from Debian packages" >&2
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${wanted[@]}" >/dev/null; } ||
    { echo "could not install ${wanted[*]}: run apt-get install ${wanted[*]} and try again" >&2; return 1; }
}
