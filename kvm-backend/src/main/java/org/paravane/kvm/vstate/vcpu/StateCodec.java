package org.paravane.kvm.vstate.vcpu;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import org.paravane.api.cpu.ControlRegisters;
import org.paravane.api.cpu.DescriptorTable;
import org.paravane.api.cpu.GeneralRegisters;
import org.paravane.api.cpu.PendingEvents;
import org.paravane.api.cpu.Segment;
import org.paravane.api.cpu.SegmentRegisters;
import org.paravane.kvm.ioctls.KvmConstants;
import org.paravane.kvm.ioctls.KvmLayouts;

/**
 * Converts between the backend-neutral register records of the API and KVM's structures ({@code kvm_regs},
 * {@code kvm_sregs}, {@code kvm_vcpu_events}, the FXSAVE area of {@code kvm_xsave} / {@code kvm_fpu}), in place in
 * native memory (the sync-regs area or ioctl buffers).
 */
final class StateCodec {
    private StateCodec() {
    }

    private static long off(java.lang.foreign.StructLayout l, String path) {
        return KvmLayouts.offset(l, path);
    }

    /** Offsets in kvm_regs of the API's registers 0..15 (x86 numbering), RIP and RFLAGS. */
    private static final long[] REGS = {
            off(KvmLayouts.KVM_REGS, "rax"), off(KvmLayouts.KVM_REGS, "rcx"), off(KvmLayouts.KVM_REGS, "rdx"),
            off(KvmLayouts.KVM_REGS, "rbx"), off(KvmLayouts.KVM_REGS, "rsp"), off(KvmLayouts.KVM_REGS, "rbp"),
            off(KvmLayouts.KVM_REGS, "rsi"), off(KvmLayouts.KVM_REGS, "rdi"), off(KvmLayouts.KVM_REGS, "r8"),
            off(KvmLayouts.KVM_REGS, "r9"), off(KvmLayouts.KVM_REGS, "r10"), off(KvmLayouts.KVM_REGS, "r11"),
            off(KvmLayouts.KVM_REGS, "r12"), off(KvmLayouts.KVM_REGS, "r13"), off(KvmLayouts.KVM_REGS, "r14"),
            off(KvmLayouts.KVM_REGS, "r15"), off(KvmLayouts.KVM_REGS, "rip"), off(KvmLayouts.KVM_REGS, "rflags")};
    static final long RIP = REGS[16], RFLAGS = REGS[17];

    private static final long SEG_BASE = off(KvmLayouts.KVM_SEGMENT, "base"), SEG_LIMIT = off(KvmLayouts.KVM_SEGMENT, "limit"),
            SEG_SELECTOR = off(KvmLayouts.KVM_SEGMENT, "selector"), SEG_TYPE = off(KvmLayouts.KVM_SEGMENT, "type"),
            SEG_PRESENT = off(KvmLayouts.KVM_SEGMENT, "present"), SEG_DPL = off(KvmLayouts.KVM_SEGMENT, "dpl"),
            SEG_DB = off(KvmLayouts.KVM_SEGMENT, "db"), SEG_S = off(KvmLayouts.KVM_SEGMENT, "s"),
            SEG_L = off(KvmLayouts.KVM_SEGMENT, "l"), SEG_G = off(KvmLayouts.KVM_SEGMENT, "g"),
            SEG_AVL = off(KvmLayouts.KVM_SEGMENT, "avl"), SEG_UNUSABLE = off(KvmLayouts.KVM_SEGMENT, "unusable"),
            SEG_PADDING = off(KvmLayouts.KVM_SEGMENT, "padding");

    private static final long CS = off(KvmLayouts.KVM_SREGS, "cs"), DS = off(KvmLayouts.KVM_SREGS, "ds"),
            ES = off(KvmLayouts.KVM_SREGS, "es"), FS = off(KvmLayouts.KVM_SREGS, "fs"), GS = off(KvmLayouts.KVM_SREGS, "gs"),
            SS = off(KvmLayouts.KVM_SREGS, "ss"), TR = off(KvmLayouts.KVM_SREGS, "tr"), LDT = off(KvmLayouts.KVM_SREGS, "ldt"),
            GDT = off(KvmLayouts.KVM_SREGS, "gdt"), IDT = off(KvmLayouts.KVM_SREGS, "idt"),
            CR0 = off(KvmLayouts.KVM_SREGS, "cr0"), CR2 = off(KvmLayouts.KVM_SREGS, "cr2"), CR3 = off(KvmLayouts.KVM_SREGS, "cr3"),
            CR4 = off(KvmLayouts.KVM_SREGS, "cr4"), CR8 = off(KvmLayouts.KVM_SREGS, "cr8"), EFER = off(KvmLayouts.KVM_SREGS, "efer"),
            APIC_BASE = off(KvmLayouts.KVM_SREGS, "apic_base"), INTERRUPT_BITMAP = off(KvmLayouts.KVM_SREGS, "interrupt_bitmap");
    private static final long DT_BASE = off(KvmLayouts.KVM_DTABLE, "base"), DT_LIMIT = off(KvmLayouts.KVM_DTABLE, "limit");

    private static final long EX_INJECTED = off(KvmLayouts.KVM_VCPU_EVENTS, "exception.injected"),
            EX_NR = off(KvmLayouts.KVM_VCPU_EVENTS, "exception.nr"),
            EX_HAS_ERROR = off(KvmLayouts.KVM_VCPU_EVENTS, "exception.has_error_code"),
            EX_PENDING = off(KvmLayouts.KVM_VCPU_EVENTS, "exception.pending"),
            EX_ERROR = off(KvmLayouts.KVM_VCPU_EVENTS, "exception.error_code"),
            INT_INJECTED = off(KvmLayouts.KVM_VCPU_EVENTS, "interrupt.injected"),
            INT_NR = off(KvmLayouts.KVM_VCPU_EVENTS, "interrupt.nr"), INT_SOFT = off(KvmLayouts.KVM_VCPU_EVENTS, "interrupt.soft"),
            INT_SHADOW = off(KvmLayouts.KVM_VCPU_EVENTS, "interrupt.shadow"),
            NMI_INJECTED = off(KvmLayouts.KVM_VCPU_EVENTS, "nmi.injected"), NMI_PENDING = off(KvmLayouts.KVM_VCPU_EVENTS, "nmi.pending"),
            EV_FLAGS = off(KvmLayouts.KVM_VCPU_EVENTS, "flags"),
            EX_HAS_PAYLOAD = off(KvmLayouts.KVM_VCPU_EVENTS, "exception_has_payload"),
            EX_PAYLOAD = off(KvmLayouts.KVM_VCPU_EVENTS, "exception_payload");

    // kvm_regs

    static GeneralRegisters decodeRegs(MemorySegment regs) {
        long[] a = new long[18];
        for (int i = 0; i < 18; i++) {
            a[i] = regs.get(JAVA_LONG, REGS[i]);
        }
        return GeneralRegisters.fromArray(a);
    }

    static void encodeRegs(GeneralRegisters r, MemorySegment regs) {
        long[] a = r.toArray();
        for (int i = 0; i < 18; i++) {
            regs.set(JAVA_LONG, REGS[i], a[i]);
        }
    }

    // kvm_sregs

    static Segment decodeSegment(MemorySegment sregs, long at) {
        return new Segment(sregs.get(JAVA_SHORT, at + SEG_SELECTOR) & 0xFFFF, sregs.get(JAVA_LONG, at + SEG_BASE),
                sregs.get(JAVA_INT, at + SEG_LIMIT), sregs.get(JAVA_BYTE, at + SEG_TYPE) & 0xF,
                sregs.get(JAVA_BYTE, at + SEG_S) != 0, sregs.get(JAVA_BYTE, at + SEG_DPL) & 3,
                sregs.get(JAVA_BYTE, at + SEG_PRESENT) != 0, sregs.get(JAVA_BYTE, at + SEG_AVL) != 0,
                sregs.get(JAVA_BYTE, at + SEG_L) != 0, sregs.get(JAVA_BYTE, at + SEG_DB) != 0,
                sregs.get(JAVA_BYTE, at + SEG_G) != 0, sregs.get(JAVA_BYTE, at + SEG_UNUSABLE) != 0);
    }

    private static void encodeSegment(Segment s, MemorySegment sregs, long at) {
        sregs.set(JAVA_LONG, at + SEG_BASE, s.base());
        sregs.set(JAVA_INT, at + SEG_LIMIT, s.limit());
        sregs.set(JAVA_SHORT, at + SEG_SELECTOR, (short) s.selector());
        sregs.set(JAVA_BYTE, at + SEG_TYPE, (byte) s.type());
        sregs.set(JAVA_BYTE, at + SEG_PRESENT, flag(s.present()));
        sregs.set(JAVA_BYTE, at + SEG_DPL, (byte) s.dpl());
        sregs.set(JAVA_BYTE, at + SEG_DB, flag(s.db()));
        sregs.set(JAVA_BYTE, at + SEG_S, flag(s.system()));
        sregs.set(JAVA_BYTE, at + SEG_L, flag(s.longMode()));
        sregs.set(JAVA_BYTE, at + SEG_G, flag(s.granularity()));
        sregs.set(JAVA_BYTE, at + SEG_AVL, flag(s.avl()));
        sregs.set(JAVA_BYTE, at + SEG_UNUSABLE, flag(s.unusable()));
        sregs.set(JAVA_BYTE, at + SEG_PADDING, (byte) 0);
    }

    private static byte flag(boolean b) {
        return b ? (byte) 1 : 0;
    }

    static SegmentRegisters decodeSegments(MemorySegment sregs) {
        return new SegmentRegisters(decodeSegment(sregs, CS), decodeSegment(sregs, DS), decodeSegment(sregs, ES),
                decodeSegment(sregs, FS), decodeSegment(sregs, GS), decodeSegment(sregs, SS), decodeSegment(sregs, TR),
                decodeSegment(sregs, LDT));
    }

    static ControlRegisters decodeControl(MemorySegment sregs) {
        return new ControlRegisters(sregs.get(JAVA_LONG, CR0), sregs.get(JAVA_LONG, CR2), sregs.get(JAVA_LONG, CR3),
                sregs.get(JAVA_LONG, CR4), sregs.get(JAVA_LONG, CR8), sregs.get(JAVA_LONG, EFER),
                sregs.get(JAVA_LONG, APIC_BASE));
    }

    static DescriptorTable decodeGdt(MemorySegment sregs) {
        return new DescriptorTable(sregs.get(JAVA_LONG, GDT + DT_BASE), sregs.get(JAVA_SHORT, GDT + DT_LIMIT) & 0xFFFF);
    }

    static DescriptorTable decodeIdt(MemorySegment sregs) {
        return new DescriptorTable(sregs.get(JAVA_LONG, IDT + DT_BASE), sregs.get(JAVA_SHORT, IDT + DT_LIMIT) & 0xFFFF);
    }

    /**
     * Whether the events carry a page fault, pending or being delivered, whose address KVM did not report separately
     * (no EXCEPTION_PAYLOAD): KVM delivers it with the CR2 of the moment.
     */
    static boolean pageFaultWithoutPayload(MemorySegment ev) {
        boolean exception = ev.get(JAVA_BYTE, EX_INJECTED) != 0 || ev.get(JAVA_BYTE, EX_PENDING) != 0;
        return exception && (ev.get(JAVA_BYTE, EX_NR) & 0xFF) == 14 && ev.get(JAVA_BYTE, EX_HAS_PAYLOAD) == 0;
    }

    static long cr2(MemorySegment sregs) {
        return sregs.get(JAVA_LONG, CR2);
    }

    static long cr3(MemorySegment sregs) {
        return sregs.get(JAVA_LONG, CR3);
    }

    /** Writes every field of kvm_sregs; the interrupt bitmap is cleared (pending interrupts travel in the events). */
    static void encodeSregs(SegmentRegisters s, ControlRegisters c, DescriptorTable gdt, DescriptorTable idt, MemorySegment sregs) {
        encodeSegment(s.cs(), sregs, CS);
        encodeSegment(s.ds(), sregs, DS);
        encodeSegment(s.es(), sregs, ES);
        encodeSegment(s.fs(), sregs, FS);
        encodeSegment(s.gs(), sregs, GS);
        encodeSegment(s.ss(), sregs, SS);
        encodeSegment(s.tr(), sregs, TR);
        encodeSegment(s.ldt(), sregs, LDT);
        sregs.set(JAVA_LONG, GDT + DT_BASE, gdt.base());
        sregs.set(JAVA_SHORT, GDT + DT_LIMIT, (short) gdt.limit());
        sregs.asSlice(GDT + DT_LIMIT + 2, 6).fill((byte) 0);
        sregs.set(JAVA_LONG, IDT + DT_BASE, idt.base());
        sregs.set(JAVA_SHORT, IDT + DT_LIMIT, (short) idt.limit());
        sregs.asSlice(IDT + DT_LIMIT + 2, 6).fill((byte) 0);
        sregs.set(JAVA_LONG, CR0, c.cr0());
        sregs.set(JAVA_LONG, CR2, c.cr2());
        sregs.set(JAVA_LONG, CR3, c.cr3());
        sregs.set(JAVA_LONG, CR4, c.cr4());
        sregs.set(JAVA_LONG, CR8, c.cr8());
        sregs.set(JAVA_LONG, EFER, c.efer());
        sregs.set(JAVA_LONG, APIC_BASE, c.apicBase());
        sregs.asSlice(INTERRUPT_BITMAP, 32).fill((byte) 0);
    }

    // kvm_vcpu_events (halted lives in mp_state, handled by the vCPU)

    /** The pending events; {@code cr2} supplies the payload of an injected page fault. */
    static PendingEvents decodeEvents(MemorySegment ev, long cr2, boolean halted) {
        PendingEvents.PendingException exception = null;
        if (ev.get(JAVA_BYTE, EX_INJECTED) != 0 || ev.get(JAVA_BYTE, EX_PENDING) != 0) {
            int vector = ev.get(JAVA_BYTE, EX_NR) & 0xFF;
            int error = ev.get(JAVA_BYTE, EX_HAS_ERROR) != 0 ? ev.get(JAVA_INT, EX_ERROR) : -1;
            long payload = ev.get(JAVA_BYTE, EX_HAS_PAYLOAD) != 0 ? ev.get(JAVA_LONG, EX_PAYLOAD) : vector == 14 ? cr2 : 0;
            exception = new PendingEvents.PendingException(vector & 31, error, payload);
        }
        int interrupt = ev.get(JAVA_BYTE, INT_INJECTED) != 0 && ev.get(JAVA_BYTE, INT_SOFT) == 0
                ? ev.get(JAVA_BYTE, INT_NR) & 0xFF : -1;
        boolean nmi = ev.get(JAVA_BYTE, NMI_PENDING) != 0 || ev.get(JAVA_BYTE, NMI_INJECTED) != 0;
        boolean shadow = ev.get(JAVA_BYTE, INT_SHADOW) != 0;
        return new PendingEvents(exception, interrupt, nmi, shadow, halted);
    }

    /**
     * Writes {@code e} into {@code ev} (which holds the vCPU's current events, so fields the API does not carry —
     * NMI masking, SMM, SIPI — keep their values). An exception becomes "injected" (delivered through the IDT at the next
     * entry); a page fault's payload must already be in CR2. The interrupt is written only when {@code injectInterrupt}.
     */
    static void encodeEvents(PendingEvents e, boolean injectInterrupt, MemorySegment ev) {
        PendingEvents.PendingException x = e.exception();
        ev.set(JAVA_BYTE, EX_INJECTED, flag(x != null));
        ev.set(JAVA_BYTE, EX_PENDING, (byte) 0);
        ev.set(JAVA_BYTE, EX_NR, x == null ? 0 : (byte) x.vector());
        ev.set(JAVA_BYTE, EX_HAS_ERROR, flag(x != null && x.hasErrorCode()));
        ev.set(JAVA_INT, EX_ERROR, x != null && x.hasErrorCode() ? x.errorCode() : 0);
        ev.set(JAVA_BYTE, EX_HAS_PAYLOAD, (byte) 0);
        ev.set(JAVA_LONG, EX_PAYLOAD, 0);
        boolean inject = injectInterrupt && e.interruptVector() >= 0;
        ev.set(JAVA_BYTE, INT_INJECTED, flag(inject));
        ev.set(JAVA_BYTE, INT_NR, inject ? (byte) e.interruptVector() : 0);
        ev.set(JAVA_BYTE, INT_SOFT, (byte) 0);
        ev.set(JAVA_BYTE, INT_SHADOW, e.interruptShadow() ? (byte) KvmConstants.SHADOW_INT_STI : 0);
        ev.set(JAVA_BYTE, NMI_INJECTED, (byte) 0);
        ev.set(JAVA_BYTE, NMI_PENDING, flag(e.nmiPending()));
        ev.set(JAVA_INT, EV_FLAGS, KvmConstants.VCPUEVENT_VALID_NMI_PENDING | KvmConstants.VCPUEVENT_VALID_SHADOW);
    }

    // FXSAVE image <-> kvm_fpu (fallback where KVM_GET_XSAVE is refused)

    private static final long FPU_FPR = off(KvmLayouts.KVM_FPU, "fpr"), FPU_FCW = off(KvmLayouts.KVM_FPU, "fcw"),
            FPU_FSW = off(KvmLayouts.KVM_FPU, "fsw"), FPU_FTWX = off(KvmLayouts.KVM_FPU, "ftwx"),
            FPU_OPCODE = off(KvmLayouts.KVM_FPU, "last_opcode"), FPU_IP = off(KvmLayouts.KVM_FPU, "last_ip"),
            FPU_DP = off(KvmLayouts.KVM_FPU, "last_dp"), FPU_XMM = off(KvmLayouts.KVM_FPU, "xmm"),
            FPU_MXCSR = off(KvmLayouts.KVM_FPU, "mxcsr");

    /** The FXSAVE image a vCPU has after reset: FCW 0x37F, MXCSR 0x1F80, all else zero. */
    static byte[] resetFxsave() {
        byte[] b = new byte[512];
        MemorySegment s = MemorySegment.ofArray(b);
        s.set(JAVA_SHORT_UNALIGNED, 0, (short) 0x37F);
        s.set(JAVA_INT_UNALIGNED, 24, 0x1F80);
        s.set(JAVA_INT_UNALIGNED, 28, 0xFFFF);
        return b;
    }

    static byte[] fxsaveFromFpu(MemorySegment fpu) {
        byte[] b = new byte[512];
        MemorySegment s = MemorySegment.ofArray(b);
        s.set(JAVA_SHORT_UNALIGNED, 0, fpu.get(JAVA_SHORT, FPU_FCW));
        s.set(JAVA_SHORT_UNALIGNED, 2, fpu.get(JAVA_SHORT, FPU_FSW));
        s.set(JAVA_BYTE, 4, fpu.get(JAVA_BYTE, FPU_FTWX));
        s.set(JAVA_SHORT_UNALIGNED, 6, fpu.get(JAVA_SHORT, FPU_OPCODE));
        s.set(JAVA_LONG_UNALIGNED, 8, fpu.get(JAVA_LONG, FPU_IP));
        s.set(JAVA_LONG_UNALIGNED, 16, fpu.get(JAVA_LONG, FPU_DP));
        s.set(JAVA_INT_UNALIGNED, 24, fpu.get(JAVA_INT, FPU_MXCSR));
        s.set(JAVA_INT_UNALIGNED, 28, 0xFFFF);
        s.asSlice(32, 128).copyFrom(fpu.asSlice(FPU_FPR, 128));
        s.asSlice(160, 256).copyFrom(fpu.asSlice(FPU_XMM, 256));
        return b;
    }

    static void fpuFromFxsave(byte[] image, MemorySegment fpu) {
        MemorySegment s = MemorySegment.ofArray(image);
        fpu.fill((byte) 0);
        fpu.set(JAVA_SHORT, FPU_FCW, s.get(JAVA_SHORT_UNALIGNED, 0));
        fpu.set(JAVA_SHORT, FPU_FSW, s.get(JAVA_SHORT_UNALIGNED, 2));
        fpu.set(JAVA_BYTE, FPU_FTWX, s.get(JAVA_BYTE, 4));
        fpu.set(JAVA_SHORT, FPU_OPCODE, s.get(JAVA_SHORT_UNALIGNED, 6));
        fpu.set(JAVA_LONG, FPU_IP, s.get(JAVA_LONG_UNALIGNED, 8));
        fpu.set(JAVA_LONG, FPU_DP, s.get(JAVA_LONG_UNALIGNED, 16));
        fpu.set(JAVA_INT, FPU_MXCSR, s.get(JAVA_INT_UNALIGNED, 24));
        fpu.asSlice(FPU_FPR, 128).copyFrom(s.asSlice(32, 128));
        fpu.asSlice(FPU_XMM, 256).copyFrom(s.asSlice(160, 256));
    }

    /** Where XSAVE's header records which state components the image holds (XSTATE_BV). */
    static final long XSTATE_BV = 512;
    /** XSTATE_BV bits of the x87 and SSE components: the FXSAVE legacy area. */
    static final long XSTATE_LEGACY = 0x3;
}
