package org.paravane.kvm.ioctls;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.MemoryLayout.unionLayout;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The KVM structures of {@code linux/kvm.h} and {@code asm/kvm.h} (x86-64) as memory layouts. Element names are the C
 * field names; a name starting with {@code $} marks a C anonymous union. Implicit C padding is spelled out, so every
 * size and offset equals the C one: {@code KvmLayoutsMatchCTest} compiles the headers with gcc and compares.
 */
public final class KvmLayouts {
    private KvmLayouts() {
    }

    private static final ValueLayout U8 = ValueLayout.JAVA_BYTE, U16 = ValueLayout.JAVA_SHORT, U32 = ValueLayout.JAVA_INT,
            U64 = ValueLayout.JAVA_LONG;

    private static MemoryLayout[] fields(ValueLayout type, String... names) {
        MemoryLayout[] out = new MemoryLayout[names.length];
        for (int i = 0; i < names.length; i++) {
            out[i] = type.withName(names[i]);
        }
        return out;
    }

    private static MemoryLayout bytes(int n, String name) {
        return sequenceLayout(n, U8).withName(name);
    }

    public static final StructLayout KVM_REGS = structLayout(fields(U64, "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp",
            "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags")).withName("kvm_regs");

    public static final StructLayout KVM_SEGMENT = structLayout(
            U64.withName("base"), U32.withName("limit"), U16.withName("selector"),
            U8.withName("type"), U8.withName("present"), U8.withName("dpl"), U8.withName("db"), U8.withName("s"),
            U8.withName("l"), U8.withName("g"), U8.withName("avl"), U8.withName("unusable"), U8.withName("padding"))
            .withName("kvm_segment");

    public static final StructLayout KVM_DTABLE = structLayout(
            U64.withName("base"), U16.withName("limit"), sequenceLayout(3, U16).withName("padding")).withName("kvm_dtable");

    public static final StructLayout KVM_SREGS = structLayout(
            KVM_SEGMENT.withName("cs"), KVM_SEGMENT.withName("ds"), KVM_SEGMENT.withName("es"), KVM_SEGMENT.withName("fs"),
            KVM_SEGMENT.withName("gs"), KVM_SEGMENT.withName("ss"), KVM_SEGMENT.withName("tr"), KVM_SEGMENT.withName("ldt"),
            KVM_DTABLE.withName("gdt"), KVM_DTABLE.withName("idt"),
            U64.withName("cr0"), U64.withName("cr2"), U64.withName("cr3"), U64.withName("cr4"), U64.withName("cr8"),
            U64.withName("efer"), U64.withName("apic_base"),
            sequenceLayout(4, U64).withName("interrupt_bitmap")).withName("kvm_sregs");

    public static final StructLayout KVM_VCPU_EVENTS = structLayout(
            structLayout(U8.withName("injected"), U8.withName("nr"), U8.withName("has_error_code"), U8.withName("pending"),
                    U32.withName("error_code")).withName("exception"),
            structLayout(U8.withName("injected"), U8.withName("nr"), U8.withName("soft"), U8.withName("shadow"))
                    .withName("interrupt"),
            structLayout(U8.withName("injected"), U8.withName("pending"), U8.withName("masked"), U8.withName("pad"))
                    .withName("nmi"),
            U32.withName("sipi_vector"),
            U32.withName("flags"),
            structLayout(U8.withName("smm"), U8.withName("pending"), U8.withName("smm_inside_nmi"), U8.withName("latched_init"))
                    .withName("smi"),
            structLayout(U8.withName("pending")).withName("triple_fault"),
            bytes(26, "reserved"),
            U8.withName("exception_has_payload"),
            U64.withName("exception_payload")).withName("kvm_vcpu_events");

    public static final StructLayout KVM_SYNC_REGS = structLayout(
            KVM_REGS.withName("regs"), KVM_SREGS.withName("sregs"), KVM_VCPU_EVENTS.withName("events")).withName("kvm_sync_regs");

    /** The per-exit union of {@code struct kvm_run}, padded to 256 bytes whatever members are modelled. */
    public static final MemoryLayout RUN_EXIT = unionLayout(
            structLayout(U64.withName("hardware_exit_reason")).withName("hw"),
            structLayout(U64.withName("hardware_entry_failure_reason"), U32.withName("cpu"), paddingLayout(4)).withName("fail_entry"),
            structLayout(U32.withName("exception"), U32.withName("error_code")).withName("ex"),
            structLayout(U8.withName("direction"), U8.withName("size"), U16.withName("port"), U32.withName("count"),
                    U64.withName("data_offset")).withName("io"),
            structLayout(structLayout(U32.withName("exception"), U32.withName("pad"), U64.withName("pc"), U64.withName("dr6"),
                    U64.withName("dr7")).withName("arch")).withName("debug"),
            structLayout(U64.withName("phys_addr"), bytes(8, "data"), U32.withName("len"), U8.withName("is_write"),
                    paddingLayout(3)).withName("mmio"),
            structLayout(U32.withName("suberror"), U32.withName("ndata"), sequenceLayout(16, U64).withName("data"))
                    .withName("internal"),
            structLayout(U32.withName("type"), U32.withName("ndata"),
                    unionLayout(U64.withName("flags"), sequenceLayout(16, U64).withName("data")).withName("$u"))
                    .withName("system_event"),
            // KVM_EXIT_MEMORY_FAULT (6.8+), newer than the 6.1 uapi headers installed here
            structLayout(U64.withName("flags"), U64.withName("gpa"), U64.withName("size")).withName("memory_fault"),
            bytes(256, "padding")).withName("$exit");

    public static final StructLayout KVM_RUN = structLayout(
            U8.withName("request_interrupt_window"), U8.withName("immediate_exit"), bytes(6, "padding1"),
            U32.withName("exit_reason"), U8.withName("ready_for_interrupt_injection"), U8.withName("if_flag"),
            U16.withName("flags"), U64.withName("cr8"), U64.withName("apic_base"),
            RUN_EXIT,
            U64.withName("kvm_valid_regs"), U64.withName("kvm_dirty_regs"),
            unionLayout(KVM_SYNC_REGS.withName("regs"), bytes(2048, "padding")).withName("s")).withName("kvm_run");

    public static final StructLayout KVM_USERSPACE_MEMORY_REGION = structLayout(
            U32.withName("slot"), U32.withName("flags"), U64.withName("guest_phys_addr"), U64.withName("memory_size"),
            U64.withName("userspace_addr")).withName("kvm_userspace_memory_region");

    public static final StructLayout KVM_MSR_ENTRY = structLayout(
            U32.withName("index"), U32.withName("reserved"), U64.withName("data")).withName("kvm_msr_entry");
    /** Header of {@code struct kvm_msrs}; {@code entries[]} follow at its size. */
    public static final StructLayout KVM_MSRS = structLayout(U32.withName("nmsrs"), U32.withName("pad")).withName("kvm_msrs");
    /** Header of {@code struct kvm_msr_list}; {@code indices[]} (u32) follow. */
    public static final StructLayout KVM_MSR_LIST = structLayout(U32.withName("nmsrs")).withName("kvm_msr_list");

    public static final StructLayout KVM_CPUID_ENTRY2 = structLayout(
            U32.withName("function"), U32.withName("index"), U32.withName("flags"), U32.withName("eax"), U32.withName("ebx"),
            U32.withName("ecx"), U32.withName("edx"), sequenceLayout(3, U32).withName("padding")).withName("kvm_cpuid_entry2");
    /** Header of {@code struct kvm_cpuid2}; {@code entries[]} follow. */
    public static final StructLayout KVM_CPUID2 = structLayout(U32.withName("nent"), U32.withName("padding")).withName("kvm_cpuid2");

    public static final StructLayout KVM_MP_STATE = structLayout(U32.withName("mp_state")).withName("kvm_mp_state");

    public static final StructLayout KVM_FPU = structLayout(
            sequenceLayout(8, sequenceLayout(16, U8)).withName("fpr"),
            U16.withName("fcw"), U16.withName("fsw"), U8.withName("ftwx"), U8.withName("pad1"), U16.withName("last_opcode"),
            U64.withName("last_ip"), U64.withName("last_dp"),
            sequenceLayout(16, sequenceLayout(16, U8)).withName("xmm"),
            U32.withName("mxcsr"), U32.withName("pad2")).withName("kvm_fpu");

    public static final StructLayout KVM_GUEST_DEBUG = structLayout(
            U32.withName("control"), U32.withName("pad"),
            structLayout(sequenceLayout(8, U64).withName("debugreg")).withName("arch")).withName("kvm_guest_debug");

    public static final StructLayout KVM_LAPIC_STATE = structLayout(bytes(1024, "regs")).withName("kvm_lapic_state");

    /** {@code struct kvm_xsave}: the XSAVE image; its first 512 bytes are the FXSAVE legacy area. */
    public static final StructLayout KVM_XSAVE = structLayout(sequenceLayout(1024, U32).withName("region")).withName("kvm_xsave");

    /** {@code struct kvm_interrupt}: an external interrupt for KVM_INTERRUPT (userspace irqchip only). */
    public static final StructLayout KVM_INTERRUPT = structLayout(U32.withName("irq")).withName("kvm_interrupt");

    /** Header of {@code struct kvm_signal_mask}; the kernel sigset (8 bytes on x86-64) follows. */
    public static final StructLayout KVM_SIGNAL_MASK = structLayout(U32.withName("len")).withName("kvm_signal_mask");

    public static final StructLayout KVM_ENABLE_CAP = structLayout(
            U32.withName("cap"), U32.withName("flags"), sequenceLayout(4, U64).withName("args"), bytes(64, "pad"))
            .withName("kvm_enable_cap");

    /** Every structure above, for the C comparison. */
    public static final List<StructLayout> ALL = List.of(KVM_REGS, KVM_SEGMENT, KVM_DTABLE, KVM_SREGS, KVM_VCPU_EVENTS,
            KVM_SYNC_REGS, KVM_RUN, KVM_USERSPACE_MEMORY_REGION, KVM_MSR_ENTRY, KVM_MSRS, KVM_MSR_LIST, KVM_CPUID_ENTRY2,
            KVM_CPUID2, KVM_MP_STATE, KVM_FPU, KVM_GUEST_DEBUG, KVM_LAPIC_STATE, KVM_XSAVE, KVM_INTERRUPT, KVM_SIGNAL_MASK,
            KVM_ENABLE_CAP);

    /** Byte offset of a field given by its C path ({@code "s.regs.regs.rip"}; anonymous unions are left out). */
    public static long offset(StructLayout layout, String cPath) {
        return layout.byteOffset(path(layout, cPath));
    }

    /** The layout path elements of a C field path, inserting the anonymous ({@code $}) groups on the way. */
    public static PathElement[] path(MemoryLayout layout, String cPath) {
        List<PathElement> out = new java.util.ArrayList<>();
        MemoryLayout current = layout;
        for (String name : cPath.split("\\.")) {
            current = descend(current, name, out);
            if (current == null) {
                throw new IllegalArgumentException("no field '" + cPath + "' in " + layout.name().orElse("layout"));
            }
        }
        return out.toArray(PathElement[]::new);
    }

    private static MemoryLayout descend(MemoryLayout group, String name, List<PathElement> out) {
        if (!(group instanceof java.lang.foreign.GroupLayout g)) {
            return null;
        }
        for (MemoryLayout m : g.memberLayouts()) {
            if (m.name().isPresent() && m.name().get().equals(name)) {
                out.add(PathElement.groupElement(name));
                return m;
            }
        }
        for (MemoryLayout m : g.memberLayouts()) {
            if (m.name().isPresent() && m.name().get().startsWith("$")) {
                int mark = out.size();
                out.add(PathElement.groupElement(m.name().get()));
                MemoryLayout found = descend(m, name, out);
                if (found != null) {
                    return found;
                }
                out.subList(mark, out.size()).clear();
            }
        }
        return null;
    }
}
