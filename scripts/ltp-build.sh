#!/bin/sh
# Build the Linux Test Project's system-call tests from a source tarball.
#
#   scripts/ltp-build.sh TARBALL DEST 64|32
#
# Unpacks TARBALL into DEST-src, builds lib/ and testcases/kernel/syscalls
# there and installs them into DEST (LTPROOT=DEST: the tests in
# DEST/testcases/bin, the lists in DEST/runtest), then removes the source
# tree (1.4 GB).  "32" builds with -m32 for pyuml's i386 subarch.  The logs
# stay in DEST/build-logs; DEST/.built marks a finished build, so that
# `make ltp` builds only once.
set -e
tarball=$1 dest=$2 bits=$3
[ -f "$tarball" ] || { echo "ltp-build: no LTP tarball at $tarball (set LTP_TARBALL)" >&2; exit 1; }
jobs=${LTP_JOBS:-2}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
src=$dest-src
rm -rf "$src" "$dest"
mkdir -p "$src" "$dest/build-logs"
logs=$dest/build-logs
tar xzf "$tarball" -C "$src" --strip-components=1
cd "$src"
echo "ltp-build: $bits-bit build in $src (logs in $logs)"
make autotools >"$logs/autotools.log" 2>&1
if [ "$bits" = 32 ]; then
    # Debian's i386 .pc files and -m32 everywhere; configure then finds the
    # :i386 -dev packages scripts/host-deps.sh installs (libaio, libcap,
    # libacl, libkeyutils, libnuma, libmnl) and tests needing them build.
    PKG_CONFIG_LIBDIR=/usr/lib/i386-linux-gnu/pkgconfig \
        ./configure --prefix="$dest" CFLAGS="-m32 -O2 -g0" LDFLAGS=-m32 >"$logs/configure.log" 2>&1
else
    ./configure --prefix="$dest" CFLAGS="-O2 -g0" >"$logs/configure.log" 2>&1
fi
cp config.log "$logs/"
make -j"$jobs" -C lib >"$logs/build.log" 2>&1
# A test that does not build on this host (a header this libc lacks) must
# not stop the rest: keep going (-k); the harness reports it as not built.
make -k -j"$jobs" -C testcases/kernel/syscalls >>"$logs/build.log" 2>&1 || true
make -k -C testcases/kernel/syscalls install >"$logs/install.log" 2>&1 || true
mkdir -p "$dest/runtest"
cp runtest/syscalls "$dest/runtest/"
# The programs whose source asks LTP's library for a block device, huge
# pages or a rewritten system file: natively they would change the host.
grep -rlE '\.(needs_device|mount_device|format_device|all_filesystems|hugepages|needs_rofs|save_restore)[[:space:]]*=' \
    testcases/kernel/syscalls --include='*.c' | sed 's|.*/||; s|\.c$||' | sort >"$dest/host-changing"
cd /
rm -rf "$src"
n=$(ls "$dest/testcases/bin" | wc -l)
echo "ltp-build: $bits-bit, $n programs in $dest/testcases/bin"
touch "$dest/.built"
