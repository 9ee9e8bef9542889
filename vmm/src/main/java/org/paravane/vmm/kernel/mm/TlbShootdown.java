package org.paravane.vmm.kernel.mm;

/**
 * Takes an address space's translations away from every vCPU that may cache them, as a kernel's TLB shootdown does:
 * when {@link #shootDown} returns, no vCPU runs guest code with a translation of {@code space} older than the call,
 * and each flushes before it runs that space again. {@link AddressSpace} calls it after it took rights or pages away
 * and before it lets a freed page go, so another vCPU running a thread of the same process cannot write a page that
 * is now shared copy-on-write or already reused.
 */
@FunctionalInterface
public interface TlbShootdown {

    /** For spaces no vCPU runs (tests, tools): nothing to take back. */
    TlbShootdown NONE = space -> {
    };

    void shootDown(AddressSpace space);
}
