# Build your own Paravane guest programs. In your Makefile, outside this tree:
#
#   include /path/to/paravane/guests/paravane-guest.mk
#   all: prog.elf
#
# Every X.elf is built from X.c (plus any extra sources listed in X_SOURCES) with the guest runtime: crt0.S calls
# `int main(long arg)` (arg is the task's argument, `paravane:run prog.elf:7`), libc.c gives printf and friends, and
# paravane.h is the whole ABI (hypercalls, the info page, the data region). Run it with ./paravane run path/to/X.elf.
# Override CC, or add your own CFLAGS (-O0 -g, -Wall -Werror, ...): they come after the required flags.

PARAVANE_GUESTS := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))

# Freestanding static x86-64 code, ordinary C: SSE2 floating point is allowed in every task, user or kernel (the guest
# kernel keeps each task's x87/SSE state, see FpuSwitch), x87 `long double` is not (the software CPU's x87 is young);
# no red zone (interrupts arrive on a kernel task's stack), no PIE (loaded where linked). libgcc is linked for what
# gcc calls out to (128-bit division, ...).
PARAVANE_CFLAGS := -O2 -std=gnu11 -I$(PARAVANE_GUESTS)/include \
  -ffreestanding -fno-pic -fno-pie -fno-stack-protector -fcf-protection=none -fno-asynchronous-unwind-tables \
  -mno-red-zone -fno-builtin-printf
PARAVANE_LDFLAGS := -nostdlib -nostartfiles -static -no-pie -Wl,-T,$(PARAVANE_GUESTS)/lib/guest.ld -Wl,--build-id=none \
  -Wl,-z,noexecstack -Wl,-z,max-page-size=4096
PARAVANE_RUNTIME := $(PARAVANE_GUESTS)/lib/crt0.S $(PARAVANE_GUESTS)/lib/libc.c
PARAVANE_LIBS := $(shell $(CC) -print-libgcc-file-name)
PARAVANE_DEPS := $(PARAVANE_RUNTIME) $(PARAVANE_GUESTS)/lib/guest.ld $(PARAVANE_GUESTS)/include/paravane.h

.SECONDEXPANSION:
%.elf: %.c $$($$*_SOURCES) $(PARAVANE_DEPS)
	$(CC) $(PARAVANE_CFLAGS) $(CFLAGS) $(PARAVANE_LDFLAGS) $(LDFLAGS) -o $@ $(PARAVANE_RUNTIME) $< $($*_SOURCES) $(PARAVANE_LIBS)
