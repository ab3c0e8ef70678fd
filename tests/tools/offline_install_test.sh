#!/usr/bin/env bash
# The offline install of README "Offline install", as the KSK laptop sees it:
# `./run bundle` writes the folder; in a fresh minimal Debian 12 root
# (debootstrap --variant=minbase bookworm) with the network cut (unshare -n),
# install.sh installs kskline and `kskline demo` completes; a folder with one
# changed octet installs nothing. Needs root (chroot); the first run makes the
# root with debootstrap from the Debian archive.
set -euo pipefail
source_dir=$1
root=${KSKLINE_BOOKWORM_ROOT:-/var/tmp/kskline-bookworm}
work=$(mktemp -d /var/tmp/kskline-install-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "offline_install_test: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (chroot and unshare); CI runs as root"

"$source_dir/run" bundle "$work/bundle"
[ -e "$root/etc/debian_version" ] || fail "./run bundle made no Debian root in $root"

# A fresh copy of the minimal root with the folder in /bundle.
fresh() {
  rm -rf "$work/root"
  cp -a "$root" "$work/root"
  cp -r "$work/bundle" "$work/root/bundle"
}
offline() { unshare -n chroot "$work/root" "$@"; }

# Inside `unshare -n` only the loopback interface exists.
interfaces=$(unshare -n cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' ')
[ "$interfaces" = "lo" ] || fail "unshare -n left network interfaces: $interfaces"

fresh
chroot "$work/root" dpkg -s kskline >/dev/null 2>&1 && fail "the minimal root already has kskline"
first=$(ls "$work/root/bundle/debs" | head -1)
printf 'x' >>"$work/root/bundle/debs/$first"
if offline sh /bundle/install.sh >"$work/tampered.out" 2>&1; then
  fail "install.sh installed a folder whose debs/$first does not match SHA256SUMS"
fi
grep -q "nothing installed" "$work/tampered.out" || fail "install.sh did not say why: $(cat "$work/tampered.out")"
chroot "$work/root" dpkg -s kskline >/dev/null 2>&1 && fail "kskline was installed from a tampered folder"
chroot "$work/root" dpkg -s libsodium23 >/dev/null 2>&1 && fail "a dependency was installed from a tampered folder"

fresh
offline sh /bundle/install.sh >"$work/install.out" 2>&1 || fail "install.sh failed: $(tail -20 "$work/install.out")"
grep -q "^kskline [0-9]" "$work/install.out" || fail "install.sh did not end with kskline --version"
offline sh -c 'cd /tmp && kskline demo' >"$work/demo.out" 2>&1 || fail "kskline demo failed: $(tail -20 "$work/demo.out")"
grep -q "The ceremony is complete" "$work/demo.out" || fail "kskline demo did not complete: $(tail -5 "$work/demo.out")"
echo "offline_install_test: installed $(ls "$work/bundle/debs" | wc -l) packages and kskline offline; the demo completed"
