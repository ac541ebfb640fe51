#!/bin/sh
# Install the Debian packages the build and the tests need, if missing.
set -e
need=""
command -v musl-gcc >/dev/null 2>&1 || need="$need musl-tools"
[ -e /usr/lib/gcc/x86_64-linux-gnu/12/32/libgcc.a ] || [ -e /usr/lib32/libc.so ] \
    || dpkg -s gcc-multilib >/dev/null 2>&1 || need="$need gcc-multilib"
[ -x /bin/busybox ] || command -v busybox >/dev/null 2>&1 || need="$need busybox-static"
command -v gdb >/dev/null 2>&1 || need="$need gdb"          # reads our core files
command -v strace >/dev/null 2>&1 || need="$need strace"    # a guest tracer (ptrace tests)
if [ -n "$need" ]; then
    echo "host-deps: installing$need"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi
