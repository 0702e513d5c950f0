#!/usr/bin/env bash
# System check, run by hand (not by pytest or .ci/run): the README's quick start on a stock
# Debian 12 (bookworm) root file system made with debootstrap.
#
#   sudo bash tests/system/debootstrap_check.sh [ROOT_DIR]     # default /var/tmp/pantau-bookworm
#
# 1. debootstrap a plain bookworm root (cached in ROOT_DIR; delete it for a fresh one) and add
#    only `python3` from apt: no pip, no venv module, no compiler, like a stock server;
# 2. copy this working tree (tracked and untracked files, without .venv/.git) to /root/pantau;
# 3. inside the chroot, as root: the README's first command, with the network for installing,
#    then the demo in its own network namespace (its loopback servers cannot collide with
#    anything on the host), then `pantau --version` and `pantau run --help`.
# Prints the time of each step; exits non-zero at the first failure.
set -euo pipefail
ROOT=${1:-/var/tmp/pantau-bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "run as root (debootstrap and chroot need it)" >&2; exit 1; }
command -v debootstrap >/dev/null || { apt-get update -qq; apt-get install -y -qq debootstrap; }

step() { echo; echo "=== $(date -u +%T) $*"; }
umount_all() { for m in dev/pts dev proc sys; do umount -l "$ROOT/$m" 2>/dev/null || true; done; }
trap umount_all EXIT

START=$(date +%s)
if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
    step "debootstrap bookworm into $ROOT"
    debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >/dev/null
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
in_root "cd /root/pantau && .venv/bin/pantau --version && .venv/bin/pantau run --help | head -5"
step "done in $(( $(date +%s) - START )) s: the README's first command works on stock Debian 12"
