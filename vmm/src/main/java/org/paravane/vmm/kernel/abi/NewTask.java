package org.paravane.vmm.kernel.abi;

import java.util.Objects;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.vmm.kernel.mm.AddressSpace;

/**
 * A task a running task creates ({@link SyscallTask#spawn}): the ABI it speaks (one instance per task), the address
 * space it runs in (the creator's own for a thread, which the kernel then shares, or a copy), its first registers and
 * FS base. Everything else of the creator's context comes along as a clone does: the GS base and the x87/SSE state.
 */
public record NewTask(String name, SyscallAbi abi, AddressSpace memory, GeneralRegisters registers, long fsBase) {
    public NewTask {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(abi, "abi");
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(registers, "registers");
    }
}
