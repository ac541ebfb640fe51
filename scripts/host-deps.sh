#!/bin/sh
# Install the Debian packages the build and the tests need, if missing.
set -e
need=""
command -v musl-gcc >/dev/null 2>&1 || need="$need musl-tools"
[ -e /usr/lib/gcc/x86_64-linux-gnu/12/32/libgcc.a ] || [ -e /usr/lib32/libc.so ] \
    || dpkg -s gcc-multilib >/dev/null 2>&1 || need="$need gcc-multilib"
[ -x /bin/busybox ] || command -v busybox >/dev/null 2>&1 || need="$need busybox-static"
command -v gdb >/dev/null 2>&1 || need="$need gdb"          # reads our core files
command -v strace >/dev/null 2>&1 || need="$need strace"    # the reference for strace=
command -v mke2fs >/dev/null 2>&1 || need="$need e2fsprogs"  # makes and checks disk images
command -v keyctl >/dev/null 2>&1 || need="$need keyutils"  # tests/test_keys.py runs keyctl(1)
command -v ss >/dev/null 2>&1 || need="$need iproute2"     # tests/test_netlink.py runs ip and ss
command -v netstat >/dev/null 2>&1 || need="$need net-tools"  # ... and netstat
dpkg -s liburing-dev >/dev/null 2>&1 || need="$need liburing-dev"  # tests/guest/liburing/ (io_uring)
# make ltp: LTP's build (autotools) and the libraries its tests use, in
# 64-bit and in i386 (-m32 build) versions
for p in autoconf automake libtool pkg-config bison flex; do
    dpkg -s $p >/dev/null 2>&1 || need="$need $p"
done
i386=""
for p in libaio-dev libcap-dev libacl1-dev libkeyutils-dev libnuma-dev libmnl-dev; do
    dpkg -s $p:amd64 >/dev/null 2>&1 || need="$need $p:amd64"
    dpkg -s $p:i386 >/dev/null 2>&1 || i386="$i386 $p:i386"
done
if [ -n "$need$i386" ]; then
    echo "host-deps: installing$need$i386"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    if [ -n "$i386" ] && ! dpkg --print-foreign-architectures | grep -qx i386; then
        $SUDO dpkg --add-architecture i386
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need $i386 >/dev/null
fi
