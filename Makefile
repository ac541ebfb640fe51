# pyuml - a Linux kernel in Python (skas0, like User-Mode Linux)
#
#   make run     set up, build, boot the busybox system (a demo, then power off)
#   make shell   the same, with an interactive shell on the console
#   make test    set up, build, run the whole test suite
#   make bench   benchmarks: pyuml against native, as ratios
#   make ltp     build LTP's system-call tests, run them under pyuml, check
#                them against tests/ltp/expectations (HACKING.md: "LTP")
#   make lab-list, make lab-start LAB=x, make grade   the labs (labs/Makefile.inc)

PYTHON  ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
B       := build

STUB_START_64 := 0x7f8000000000
STUB_START_32 := 0xff000000
STUB_DATA_PAGES := 4
STUB_STACK_PAGES := 8
STUB_HOST_VDSO_PAGES := 16

.PHONY: all run test bench bench-guests setup host-deps clean shell ltp ltp-build

all: $(VENV)/.done $(B)/stub64 $(B)/stub32 $(B)/vdso32.so $(B)/vdso64.so $(B)/initramfs.cpio.gz $(B)/busybox.cpio.gz linux

# -- set-up: Debian packages and a pinned virtual environment ---------------
host-deps:
	@sh scripts/host-deps.sh

$(VENV)/.done: requirements.txt
	@$(MAKE) --no-print-directory host-deps
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

setup: $(VENV)/.done

# -- the stub -----------------------------------------------------------------
$(B)/stub64: arch/x86_64/stub.S linker/stub.lds | $(B)
	gcc -c -o $(B)/stub64.o arch/x86_64/stub.S
	ld -static -nostdlib -z noexecstack -z max-page-size=4096 \
	   --defsym=STUB_START=$(STUB_START_64) \
	   --defsym=STUB_DATA_PAGES=$(STUB_DATA_PAGES) \
	   --defsym=STUB_STACK_PAGES=$(STUB_STACK_PAGES) \
	   --defsym=STUB_HOST_VDSO_PAGES=$(STUB_HOST_VDSO_PAGES) \
	   -T linker/stub.lds -o $@ $(B)/stub64.o

# -- the vDSOs: one page each, laid out by linker/vdso.lds ---------------------------
$(B)/vdso32.so: arch/x86/vdso32.S linker/vdso.lds arch/x86/vdso32.ver | $(B)
	gcc -m32 -nostdlib -shared -fPIC -Wl,-soname=linux-gate.so.1 -Wl,--hash-style=both \
	   -Wl,--version-script=arch/x86/vdso32.ver -Wl,-T,linker/vdso.lds \
	   -Wl,--build-id=none -o $@ arch/x86/vdso32.S

$(B)/vdso64.so: arch/x86_64/vdso.S linker/vdso.lds arch/x86_64/vdso.ver | $(B)
	gcc -nostdlib -shared -fPIC -Wl,-soname=linux-vdso.so.1 -Wl,--hash-style=both \
	   -Wl,--version-script=arch/x86_64/vdso.ver -Wl,-T,linker/vdso.lds \
	   -Wl,--build-id=none -o $@ arch/x86_64/vdso.S

$(B)/stub32: arch/x86/stub.S linker/stub.lds | $(B)
	gcc -m32 -c -o $(B)/stub32.o arch/x86/stub.S
	ld -m elf_i386 -static -nostdlib -z noexecstack -z max-page-size=4096 \
	   --defsym=STUB_START=$(STUB_START_32) \
	   --defsym=STUB_DATA_PAGES=$(STUB_DATA_PAGES) \
	   --defsym=STUB_STACK_PAGES=$(STUB_STACK_PAGES) \
	   --defsym=STUB_HOST_VDSO_PAGES=0 \
	   -T linker/stub.lds -o $@ $(B)/stub32.o

# -- the default init and its initramfs ----------------------------------------
$(B)/init: usr/init.c | $(B) host-deps
	musl-gcc -static -Os -Wall -o $@ $<

$(B)/initramfs.cpio.gz: usr/initramfs_list usr/motd $(B)/init usr/gen_init_cpio.py
	$(PYTHON) usr/gen_init_cpio.py usr/initramfs_list -o $@

# -- the busybox system (Debian's busybox-static, from the set-up) -------------------
BUSYBOX_FILES := $(wildcard usr/busybox/*)
$(B)/busybox.cpio.gz: $(BUSYBOX_FILES) usr/gen_init_cpio.py | $(B) host-deps
	$(PYTHON) usr/gen_init_cpio.py usr/busybox/list -o $@

# -- the launcher ----------------------------------------------------------------
linux: scripts/linux.in
	cp scripts/linux.in $@
	chmod +x $@

$(B):
	mkdir -p $(B)

run: all
	./linux mem=256M initrd=$(B)/busybox.cpio.gz init=/init

shell: all
	./linux mem=256M quiet initrd=$(B)/busybox.cpio.gz init=/init -- shell

# -- tests and benchmarks --------------------------------------------------------
include tests/guest/Makefile.inc
include labs/Makefile.inc

test: all guests
	$(PY) -m pytest -q tests

bench: all guests bench-guests
	$(PY) bench/run.py
	$(PY) bench/disk.py

clean:
	rm -rf $(B) linux

# -- benchmark guests -------------------------------------------------------------
BENCH_SRC := $(wildcard bench/guests/*.c)
BENCH := $(patsubst bench/guests/%.c,$(B)/bench/musl/%,$(BENCH_SRC))
BENCH32 := $(patsubst bench/guests/%.c,$(B)/bench/glibc32/%,$(BENCH_SRC))
bench-guests: $(BENCH) $(BENCH32) $(B)/bench/ptrace_floor
$(B)/bench/glibc32/%: bench/guests/%.c bench/guests/bench.h
	@mkdir -p $(dir $@)
	gcc -m32 -static -O2 -Wall -o $@ $<
$(B)/bench/ptrace_floor: bench/ptrace_floor.c
	@mkdir -p $(dir $@)
	gcc -O2 -Wall -o $@ $<
$(B)/bench/musl/%: bench/guests/%.c bench/guests/bench.h | host-deps
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -o $@ $<

# -- the Linux Test Project (HACKING.md: "LTP") --------------------------------------
# LTP_TARBALL: the source snapshot (not in the repository); LTP_ARGS: more
# options for scripts/ltp.py (test names, --subset N, --no-native, -j N);
# LTP_ARGS32 the same for the i386 run.  The builds are made once.
# (beside the checkout, as on the project's machines; a clone elsewhere, e.g.
# in /tmp, finds the machines' shared directory /work/shared)
LTP_TARBALL ?= $(firstword $(wildcard ../shared/ltp/ltp-695827725f4f.tar.gz \
                 /work/shared/ltp/ltp-695827725f4f.tar.gz) ../shared/ltp/ltp-695827725f4f.tar.gz)
LTP_JOBS ?= 2
LTP_ARGS ?=
LTP_ARGS32 ?= $(LTP_ARGS)
ltp-build: $(B)/ltp/.built $(B)/ltp32/.built
$(B)/ltp/.built: | host-deps
	LTP_JOBS=$(LTP_JOBS) nice sh scripts/ltp-build.sh $(LTP_TARBALL) $(B)/ltp 64
$(B)/ltp32/.built: | host-deps
	LTP_JOBS=$(LTP_JOBS) nice sh scripts/ltp-build.sh $(LTP_TARBALL) $(B)/ltp32 32

ltp: all ltp-build
	nice $(PY) scripts/ltp.py --arch x86_64 -j $(LTP_JOBS) --check $(LTP_ARGS) && \
	nice $(PY) scripts/ltp.py --arch i386 -j $(LTP_JOBS) --check $(LTP_ARGS32)
