#!/usr/bin/env bash
# make-busybox-rootfs.sh OUT.tar
# Builds a minimal root filesystem tarball from Debian's busybox-static: /bin/busybox, every applet as a
# symlink to it, /etc/passwd and /etc/group. Deterministic (sorted, fixed mtime, numeric root owner), so
# the same busybox binary always gives the same tarball. Used by `npm run demo` and the tests as a base image.
set -euo pipefail
out=${1:?usage: make-busybox-rootfs.sh OUT.tar}
bb=$(command -v busybox || true)
[ -x /bin/busybox ] && bb=/bin/busybox
[ -n "$bb" ] || { echo "make-busybox-rootfs: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
file -L "$bb" 2>/dev/null | grep -q 'dynamically linked' && { echo "make-busybox-rootfs: $bb is not static (apt-get install busybox-static)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/strata-busybox.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,home,var,dev,proc,sys}
chmod 1777 "$tmp/tmp"; chmod 0700 "$tmp/root"
cp "$bb" "$tmp/bin/busybox"
# In a chroot /proc/self/exe is unreadable, so busybox uses argv[0] as the link target: every applet -> /bin/busybox.
chroot "$tmp" /bin/busybox --install -s
cat > "$tmp/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
P
cat > "$tmp/etc/group" <<'G'
root:x:0:
daemon:x:1:
nogroup:x:65534:
G
tar --sort=name --mtime=@1700000000 --owner=0 --group=0 --numeric-owner -C "$tmp" -cf "$out.tmp" .
mv -f "$out.tmp" "$out"
