#!/usr/bin/env bash
# System check, run by hand (not by pytest or .ci/run): the README's quick start on a stock
# Debian 12 (bookworm) root file system made with debootstrap (or Ubuntu 24.04: SUITE=noble).
#
#   sudo bash tests/system/debootstrap_check.sh [ROOT_DIR]     # default /var/tmp/pantau-$SUITE
#
# 1. debootstrap a plain bookworm root (cached in ROOT_DIR; delete it for a fresh one) and add
#    only `python3` from apt: no pip, no venv module, no compiler, like a stock server;
# 2. copy this working tree (tracked and untracked files, without .venv/.git) to /root/pantau;
# 3. inside the chroot, as root: the README's first command, with the network for installing,
#    then the demo in its own network namespace (its loopback servers cannot collide with
#    anything on the host), then `pantau --version` and `pantau run --help`.
# With WHEEL_DEMO=1 it then builds pantau's wheel, installs it with the extras local and brief into
# a fresh venv and runs `pantau demo` from an empty folder (package data only).
# Prints the time of each step; exits non-zero at the first failure.
set -euo pipefail
SUITE=${SUITE:-bookworm}          # SUITE=noble: Ubuntu 24.04 (main and universe, as a stock install has)
ROOT=${1:-/var/tmp/pantau-$SUITE}
case "$SUITE" in
    noble|jammy) MIRROR=${MIRROR:-http://archive.ubuntu.com/ubuntu}; COMPONENTS=main,universe ;;
    *) MIRROR=${MIRROR:-http://deb.debian.org/debian}; COMPONENTS=main ;;
esac
REPO=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "run as root (debootstrap and chroot need it)" >&2; exit 1; }
command -v debootstrap >/dev/null || { apt-get update -qq; apt-get install -y -qq debootstrap; }

step() { echo; echo "=== $(date -u +%T) $*"; }
umount_all() { for m in dev/pts dev proc sys; do umount -l "$ROOT/$m" 2>/dev/null || true; done; }
trap umount_all EXIT

START=$(date +%s)
if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
    step "debootstrap $SUITE into $ROOT"
    EXTRA=()
    # Debian 12's debootstrap has no script for noble (Ubuntu's scripts are all links to gutsy)
    # and no Ubuntu keyring package: then the Release files are not signature-checked.
    SCRIPT=/usr/share/debootstrap/scripts/$SUITE
    [ -e "$SCRIPT" ] || SCRIPT=/usr/share/debootstrap/scripts/gutsy
    case "$SUITE" in noble|jammy) [ -e /usr/share/keyrings/ubuntu-archive-keyring.gpg ] || EXTRA+=(--no-check-gpg) ;; esac
    debootstrap --variant=minbase --components="$COMPONENTS" "${EXTRA[@]}" "$SUITE" "$ROOT" "$MIRROR" "$SCRIPT" >/dev/null
fi
mount -t proc proc "$ROOT/proc"; mount -t sysfs sys "$ROOT/sys"
mount --bind /dev "$ROOT/dev"; mount --bind /dev/pts "$ROOT/dev/pts"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
CA_ENV=()
in_root() { chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "${CA_ENV[@]}" bash -c "$1"; }

step "stock python3 from apt (no pip, no venv)"
in_root "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 ca-certificates >/dev/null"
# A host behind a TLS-intercepting egress proxy trusts extra CAs (/usr/local/share/ca-certificates):
# the root gets them too, and pip (which otherwise trusts only its own certifi bundle) is pointed
# at the system store. Nothing else of the host's Python or pip configuration is carried over.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
    in_root "update-ca-certificates >/dev/null"
    CA_ENV=(PIP_CERT=/etc/ssl/certs/ca-certificates.crt)
fi
in_root "python3 --version; python3 -c 'import ensurepip' 2>/dev/null && echo 'ensurepip present' || echo 'no ensurepip (python3-venv missing), as on a stock system'"

step "copy the working tree to /root/pantau"
rm -rf "$ROOT/root/pantau"; mkdir -p "$ROOT/root/pantau"
(cd "$REPO" && git ls-files -co --exclude-standard -z | grep -zv '^\.venv/' | tar --null -T - -cf -) | tar -C "$ROOT/root/pantau" -xf -

# The README's first command, split at its `&&`: the install needs the network, the demo runs
# in a fresh network namespace (loopback only).
README_CMD=$(grep -m1 -o '^bash deploy/install.sh && [^#]*' "$REPO/README.md" | sed 's/ *$//')
INSTALL=${README_CMD%% && *}; DEMO=${README_CMD#* && }
echo "README command: $README_CMD"
step "install: $INSTALL"
T0=$(date +%s); in_root "cd /root/pantau && $INSTALL"; echo "install took $(( $(date +%s) - T0 )) s"
step "demo: $DEMO (own network namespace)"
T0=$(date +%s)
unshare --net bash -c "ip link set lo up && chroot '$ROOT' /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 bash -c 'cd /root/pantau && $DEMO && .venv/bin/pantau down'"
echo "demo took $(( $(date +%s) - T0 )) s"
step "pantau --version and pantau run --help"
in_root "cd /root/pantau && .venv/bin/pantau --version && .venv/bin/pantau run --help | sed -n 1,5p"
if [ "${WHEEL_DEMO:-0}" = 1 ]; then
    # WHEEL_DEMO=1: also a plain wheel install (no checkout on the path) with the extras the
    # demo needs, run from an empty folder: package data (sample, watchlist, models) must do.
    step "wheel: build, install into a fresh venv with [local,brief], pantau demo from /tmp/empty"
    T0=$(date +%s)
    in_root "cd /root/pantau && rm -rf /root/dist /root/wheel-venv && .venv/bin/python -m pip wheel -q --no-deps -w /root/dist . \
             && python3 -m venv /root/wheel-venv && W=\$(ls /root/dist/pantau-*.whl) && /root/wheel-venv/bin/python -m pip install -q \"\$W[local,brief]\""
    echo "wheel install took $(( $(date +%s) - T0 )) s"
    T0=$(date +%s)
    unshare --net bash -c "ip link set lo up && chroot '$ROOT' /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 bash -c 'mkdir -p /tmp/empty && cd /tmp/empty && /root/wheel-venv/bin/pantau demo && /root/wheel-venv/bin/pantau down'"
    echo "wheel demo took $(( $(date +%s) - T0 )) s"
fi
step "done in $(( $(date +%s) - START )) s: the README's first command works on $SUITE"
