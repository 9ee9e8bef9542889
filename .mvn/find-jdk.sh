# Sourced (POSIX sh) by ./mvnw and ./paravane: finds a JDK >= 25 and exports JAVA_HOME, or exits with one line.
#
# Order: $JAVA_HOME if it is a JDK >= 25, then the newest JDK >= 25 under the usual install folders
# ($PARAVANE_JDK_DIRS, a space-separated list, replaces those folders; tests use it to simulate a bare machine),
# then the JDK behind `javac` on the PATH.

paravane_jdk_major() {
  # The feature version of the JDK at $1, or nothing when $1 is not a JDK (java and javac both present).
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -r "$1/release" ]; then
    sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9]*\).*/\1/p' "$1/release" | head -n 1
  else
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
  fi
}

paravane_find_jdk() {
  paravane_required=25
  paravane_v=$(paravane_jdk_major "${JAVA_HOME:-/nonexistent}")
  if [ -n "$paravane_v" ] && [ "$paravane_v" -ge "$paravane_required" ]; then
    return 0
  fi
  paravane_best="" paravane_best_v=0
  case $- in *f*) paravane_noglob=1; set +f ;; *) paravane_noglob=0 ;; esac   # mvnw runs with set -f
  for paravane_dir in ${PARAVANE_JDK_DIRS-/usr/lib/jvm /usr/local/lib/jvm /usr/java /opt/java /opt/jdk /opt \
      "$HOME/.sdkman/candidates/java" "$HOME/.jdks" "$HOME/.local/share/jdks" /Library/Java/JavaVirtualMachines}; do
    for paravane_cand in "$paravane_dir"/* "$paravane_dir"/*/Contents/Home; do
      [ -d "$paravane_cand" ] || continue
      paravane_v=$(paravane_jdk_major "$paravane_cand")
      if [ -n "$paravane_v" ] && [ "$paravane_v" -ge "$paravane_required" ] && [ "$paravane_v" -gt "$paravane_best_v" ]; then
        paravane_best=$paravane_cand paravane_best_v=$paravane_v
      fi
    done
  done
  [ "$paravane_noglob" = 0 ] || set -f
  if [ -z "$paravane_best" ] && command -v javac >/dev/null 2>&1; then
    paravane_cand=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    paravane_v=$(paravane_jdk_major "$paravane_cand")
    if [ -n "$paravane_v" ] && [ "$paravane_v" -ge "$paravane_required" ]; then
      paravane_best=$paravane_cand
    fi
  fi
  if [ -z "$paravane_best" ]; then
    echo "paravane: no JDK $paravane_required or newer found (JAVA_HOME=${JAVA_HOME:-unset}); install one (e.g. Temurin $paravane_required: apt-get install temurin-$paravane_required-jdk) or set JAVA_HOME to it" >&2
    exit 1
  fi
  JAVA_HOME=$paravane_best
  export JAVA_HOME
}

paravane_find_jdk
