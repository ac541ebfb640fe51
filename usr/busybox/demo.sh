#!/bin/sh
# /etc/demo.sh - what `make run` shows: a short tour of the busybox system.
section() { printf '\n== %s\n' "$*"; }

section "uname -a"
uname -a
section "mount"
mount
section "free"
free
section "ps"
ps
section "top -b -n1"
top -b -n1
section "a pipeline: seq 1 100 | grep 7 | sort -r | head -3"
seq 1 100 | grep 7 | sort -r | head -3
section "redirections"
echo "first line" > /tmp/file
echo "second line" >> /tmp/file
wc -l < /tmp/file
cat /tmp/file 2>&1 >/dev/null | wc -c
section "subshells and command substitution"
(cd /proc && echo "in a subshell: $(pwd)")
echo "back in $(pwd); 6 * 7 = $((6 * 7))"
section "a here-document"
cat <<END
The kernel is $(uname -s) $(uname -r) on $(uname -m),
and this shell's pid is $$.
END
section "background jobs"
sleep 1 &
echo "started sleep as $!"
wait
echo "it finished"
section "/proc"
head -3 /proc/meminfo
cat /proc/loadavg
section "done"
