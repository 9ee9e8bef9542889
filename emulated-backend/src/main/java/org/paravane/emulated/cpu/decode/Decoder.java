package org.paravane.emulated.cpu.decode;

import static org.paravane.emulated.cpu.decode.Mnemonic.*;
import static org.paravane.emulated.cpu.decode.OpcodeMap.*;

import java.util.ArrayList;
import java.util.List;

/**
 * The x86-64 instruction decoder for 64-bit mode: legacy prefixes, REX, VEX (BMI1, BMI2), the one- and two-byte
 * opcode maps, the 0F 38 and 0F 3A maps (SSSE3, SSE4.1, MOVBE, ADX), ModRM/SIB addressing with RIP-relative operands.
 * Instructions this CPU does not implement still decode to their full length as {@link Mnemonic#UNSUPPORTED};
 * undefined encodings decode to {@link Mnemonic#UD}. Not thread safe: one decoder per vCPU.
 */
public final class Decoder {

    /** Where the bytes of an instruction come from. */
    @FunctionalInterface
    public interface Bytes {
        /** The byte at {@code offset} from the instruction's start (0..255), or -1 when it is not available. */
        int get(int offset);
    }

    public static final int MAX_LENGTH = 15;


    /** Thrown when a byte beyond what {@link Bytes} holds is needed. */
    private static final class NeedMoreBytes extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NeedMoreBytes() {
            super(null, null, false, false);
        }
    }

    private static final NeedMoreBytes NEED_MORE = new NeedMoreBytes();
    private static final NeedMoreBytes TOO_LONG_SIGNAL = new NeedMoreBytes();

    // ---- per-decode state ---------------------------------------------------------------------------------------
    private Bytes bytes;
    private long rip;
    private int pos;
    private boolean p66, p67, lock;
    private int rep;           // 0, REP (F3) or REPNE (F2): the last of them
    private int segment;
    private int rex;           // 0 when absent, else 0x40..0x4F
    private boolean modrmRead;
    private int mod, regField, rmField;  // reg and rm already extended by REX.R / REX.B
    private int vexV;                    // VEX.vvvv (register number), -1 without VEX
    private int opcodeByte;              // the (last) opcode byte: Z operands take their register from it
    private boolean vexW;

    /**
     * Decodes the instruction at {@code rip}, or returns null when it runs past the bytes available (the caller then
     * decodes again with bytes from the next page). Never throws for any byte sequence.
     */
    public Decoded decode(long rip, Bytes bytes) {
        this.bytes = bytes;
        this.rip = rip;
        try {
            return decode();
        } catch (NeedMoreBytes e) {
            if (e == TOO_LONG_SIGNAL) {
                return new Decoded(TOO_LONG, rip, MAX_LENGTH, 4, 8, 0, 0, false, -1, List.of());
            }
            return null;
        }
    }

    private int next() {
        if (pos >= MAX_LENGTH) {
            throw TOO_LONG_SIGNAL;
        }
        int b = bytes.get(pos);
        if (b < 0) {
            throw NEED_MORE;
        }
        pos++;
        return b;
    }

    private long imm(int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (long) next() << (8 * i);
        }
        return v;
    }

    private Decoded decode() {
        pos = 0;
        p66 = p67 = lock = false;
        rep = 0;
        segment = -1;
        rex = 0;
        modrmRead = false;
        vexV = -1;
        vexW = false;
        int b;
        for (;;) {
            b = next();
            switch (b) {
                case 0x66 -> p66 = true;
                case 0x67 -> p67 = true;
                case 0xF0 -> lock = true;
                case 0xF2 -> rep = Decoded.REPNE;
                case 0xF3 -> rep = Decoded.REP;
                case 0x26 -> segment = 0;
                case 0x2E -> segment = 1;
                case 0x36 -> segment = 2;
                case 0x3E -> segment = 3;
                case 0x64 -> segment = 4;
                case 0x65 -> segment = 5;
                default -> {
                    if ((b & 0xF0) == 0x40) {
                        rex = b;            // only counts when the opcode follows at once
                        continue;
                    }
                    return opcode(b);
                }
            }
            rex = 0;                         // a legacy prefix after REX cancels it
        }
    }

    private boolean rexW() {
        return (rex & 8) != 0;
    }

    private Decoded opcode(int b) {
        opcodeByte = b;
        if (b == 0x0F) {
            int b2 = next();
            opcodeByte = b2;
            return switch (b2) {
                case 0x01 -> group7();
                case 0x38 -> threeByte38();
                case 0x3A -> threeByte3A();
                case 0xAE -> group15();
                case 0xC7 -> group9();
                case 0xB8, 0xBC, 0xBD -> mandatoryF3(b2);
                case 0x1E -> hintNopOrEndbr();
                case 0x0F -> unsupportedModrm(1);    // 3DNow!: ModRM then an opcode byte
                default -> sseRow(b2) ? sse(b2) : table(TWO_BYTE[b2]);
            };
        }
        return switch (b) {
            case 0x90 -> nop90();
            case 0xC4, 0xC5 -> vex(b);
            case 0x62 -> unsupportedEvex();
            case 0x63 -> movsxd();
            case 0xA4, 0xA5, 0xA6, 0xA7, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF, 0x6C, 0x6D, 0x6E, 0x6F -> string(b);
            case 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF -> x87(b);
            case 0xF6, 0xF7 -> groupF6F7(b);
            case 0xFF -> groupFF();
            default -> table(ONE_BYTE[b]);
        };
    }

    // ---- ModRM --------------------------------------------------------------------------------------------------

    private void modrm() {
        if (modrmRead) {
            return;
        }
        int m = next();
        mod = m >>> 6;
        regField = ((m >>> 3) & 7) | ((rex & 4) << 1);
        rmField = (m & 7) | ((rex & 1) << 3);
        modrmRead = true;
    }

    private int reg3() {
        return regField & 7;
    }

    /** The memory operand of the ModRM byte (mod != 3), reading SIB and displacement. */
    private Operand.Mem memory(int size) {
        int base = -1, index = -1, scale = 0;
        long disp = 0;
        boolean ripRelative = false;
        int rmLow = rmField & 7;
        if (rmLow == 4) {
            int sib = next();
            scale = sib >>> 6;
            int idx = ((sib >>> 3) & 7) | ((rex & 2) << 2);
            if (idx != 4) {
                index = idx;
            }
            int bs = sib & 7;
            if (bs == 5 && mod == 0) {
                disp = (int) imm(4);
            } else {
                base = bs | ((rex & 1) << 3);
            }
        } else if (rmLow == 5 && mod == 0) {
            ripRelative = true;
            disp = (int) imm(4);
        } else {
            base = rmField;
        }
        if (mod == 1) {
            disp = (byte) next();
        } else if (mod == 2) {
            disp = (int) imm(4);
        }
        return new Operand.Mem(size, segment, base, index, scale, disp, ripRelative, p67 ? 4 : 8);
    }

    /** Skips the memory part of a ModRM operand (for instructions decoded only for their length). */
    private void skipMemory() {
        if (mod != 3) {
            memory(0);
        }
    }

    private int byteReg(int n) {
        return rex != 0 || n < 4 ? n : 16 + (n - 4);
    }

    // ---- table-driven decoding ----------------------------------------------------------------------------------

    private int operandSize(int flags) {
        if ((flags & F64) != 0) {
            return 8;
        }
        if ((flags & D64) != 0) {
            return p66 && !rexW() ? 2 : 8;
        }
        return rexW() ? 8 : p66 ? 2 : 4;
    }

    private Decoded table(Entry e) {
        if (e == null) {
            e = UD_ENTRY;
        }
        int flags = e.flags();
        Mnemonic m = e.mnemonic();
        if ((flags & MODRM) != 0) {
            modrm();
        }
        if ((flags & GROUP) != 0) {
            m = e.group()[reg3()];
            if (m == null) {
                m = UD;
            }
        }
        if (m == UD || m == UNSUPPORTED) {
            if ((flags & GROUP) != 0) {
                int size = operandSize(flags);
                for (int spec : e.ops()) {
                    operand(spec, size, flags);      // only for the length
                }
                return invalid(m);
            }
            if ((flags & MODRM) != 0) {
                skipMemory();
            }
            if ((flags & IMM8) != 0) {
                next();
            }
            return invalid(m);
        }
        if ((flags & MEM) != 0 && mod == 3 || (flags & REG) != 0 && mod != 3) {
            return invalid(UD);
        }
        if (m == MOV_SEG && (reg3() >= 6 || opcodeByte == 0x8E && reg3() == 1)) {
            skipMemory();
            return invalid(UD);                        // no segment register 6/7; CS cannot be loaded by MOV
        }
        if (e == TWO_BYTE[0x00] && (m == LLDT || m == LTR)) {
            List<Operand> ops = new ArrayList<>(List.of(rm(2, false)));
            return finish(m, 2, 0, ops, 0);
        }
        int size = operandSize(flags);
        if (e.ops().length > 0 && (e.ops()[0] == E_B || e.ops()[0] == G_B || e.ops()[0] == AL || e.ops()[0] == Z_B
                || e.ops()[0] == O_B)) {
            size = 1;                                  // byte operation: the operand size is the byte
        }
        int cond = e.cond();
        List<Operand> ops = new ArrayList<>(3);
        for (int spec : e.ops()) {
            ops.add(operand(spec, size, flags));
        }
        return finish(m, size, cond, ops, flags);
    }

    private Decoded finish(Mnemonic m, int size, int cond, List<Operand> ops, int flags) {
        boolean locked = lock;
        if (locked && !(LOCKABLE.contains(m) && !ops.isEmpty() && ops.get(0) instanceof Operand.Mem)) {
            return invalid(UD);
        }
        if ((m == IN || m == OUT) && size == 8) {
            size = 4;                              // REX.W does not widen port I/O
            for (int i = 0; i < ops.size(); i++) {
                if (ops.get(i) instanceof Operand.Reg r && r.size() == 8) {
                    ops.set(i, new Operand.Reg(4, r.number()));
                }
            }
        }
        // Relative targets are measured from the end of the instruction, known only now.
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) instanceof Operand.Rel r) {
                ops.set(i, new Operand.Rel(rip + pos + r.target()));
            }
        }
        int repeat = (flags & STRING) != 0 ? rep : 0;
        return new Decoded(m, rip, pos, size, p67 ? 4 : 8, cond, repeat, locked, segment, List.copyOf(ops));
    }

    private Decoded invalid(Mnemonic m) {
        return new Decoded(m, rip, pos, 4, p67 ? 4 : 8, 0, 0, false, segment, List.of());
    }

    private Operand operand(int spec, int v, int flags) {
        return switch (spec) {
            case E_B -> rm(1, true);
            case E_W -> rm(2, false);
            case E_D -> rm(4, false);
            case E_Q -> rm(8, false);
            case E_V -> rm(v, false);
            case E_Y -> rm(rexW() ? 8 : 4, false);
            case E_VW -> mod == 3 ? new Operand.Reg(v, rmField) : memory(2);   // register at v, memory 16-bit
            case E_VQ -> rm(v, false);
            case G_B -> new Operand.Reg(1, byteReg(regField));
            case G_W -> new Operand.Reg(2, regField);
            case G_D -> new Operand.Reg(4, regField);
            case G_Q -> new Operand.Reg(8, regField);
            case G_V -> new Operand.Reg(v, regField);
            case G_Y -> new Operand.Reg(rexW() ? 8 : 4, regField);
            case B_Y -> new Operand.Reg(vexW ? 8 : 4, vexV);
            case I_B -> new Operand.Imm(1, imm(1));
            case I_BS -> new Operand.Imm(1, (byte) imm(1));
            case I_W -> new Operand.Imm(2, imm(2));
            case I_Z -> v == 2 ? new Operand.Imm(2, (short) imm(2)) : new Operand.Imm(4, (int) imm(4));
            case I_V -> v == 8 ? new Operand.Imm(8, imm(8)) : v == 4 ? new Operand.Imm(4, imm(4)) : new Operand.Imm(2, imm(2));
            case J_B -> new Operand.Rel((byte) imm(1));
            case J_Z -> new Operand.Rel((int) imm(4));
            case M_ANY -> memory(0);
            case M_B -> memory(1);
            case M_W -> memory(2);
            case M_V -> memory(v);
            case M_Y -> memory(rexW() ? 8 : 4);
            case M_P -> memory(v == 8 ? 10 : v + 2);
            case Z_B -> new Operand.Reg(1, byteReg((opcodeByte & 7) | ((rex & 1) << 3)));
            case Z_V -> new Operand.Reg(v, (opcodeByte & 7) | ((rex & 1) << 3));
            case AL -> new Operand.Reg(1, 0);
            case R_AX -> new Operand.Reg(v, 0);
            case CL -> new Operand.Reg(1, 1);
            case DX -> new Operand.Reg(2, 2);
            case ONE -> new Operand.Imm(1, 1);
            case O_B, O_V -> {
                int as = p67 ? 4 : 8;
                long a = imm(as);
                yield new Operand.Mem(spec == O_B ? 1 : v, segment, -1, -1, 0, a, false, as);
            }
            case S_W -> new Operand.SegReg(reg3());
            case C_Q -> new Operand.ControlReg(regField);
            case D_Q -> new Operand.DebugReg(regField);
            case R_Q -> new Operand.Reg(8, rmField);
            case SEG_FS -> new Operand.SegReg(4);
            case SEG_GS -> new Operand.SegReg(5);
            default -> throw new IllegalStateException("operand spec " + spec);
        };
    }

    private Operand rm(int size, boolean byteRegs) {
        if (mod == 3) {
            return new Operand.Reg(size, size == 1 && byteRegs ? byteReg(rmField) : rmField);
        }
        return memory(size);
    }

    // ---- special opcodes ----------------------------------------------------------------------------------------

    private Decoded nop90() {
        if ((rex & 1) != 0) {
            int v = operandSize(0);
            List<Operand> ops = new ArrayList<>(List.of(new Operand.Reg(v, 8), new Operand.Reg(v, 0)));
            return finish(XCHG, v, 0, ops, 0);
        }
        return finish(rep == Decoded.REP ? PAUSE : NOP, 4, 0, new ArrayList<>(), 0);
    }

    private Decoded movsxd() {
        modrm();
        int v = operandSize(0);
        List<Operand> ops = new ArrayList<>(List.of(new Operand.Reg(v, regField), rm(v == 8 ? 4 : v, false)));
        return finish(MOVSXD, v, 0, ops, 0);
    }

    private Decoded string(int b) {
        Mnemonic m = switch (b & 0xFE) {
            case 0xA4 -> MOVS;
            case 0xA6 -> CMPS;
            case 0xAA -> STOS;
            case 0xAC -> LODS;
            case 0xAE -> SCAS;
            case 0x6C -> INS;
            default -> OUTS;
        };
        int size = (b & 1) == 0 ? 1 : operandSize(0);
        if ((m == INS || m == OUTS) && size == 8) {
            size = 4;
        }
        return finish(m, size, 0, new ArrayList<>(), STRING);
    }

    private Decoded mandatoryF3(int b2) {
        modrm();
        int v = operandSize(0);
        Mnemonic m;
        if (b2 == 0xB8) {
            if (rep != Decoded.REP) {
                skipMemory();
                return invalid(UD);
            }
            m = POPCNT;
        } else if (b2 == 0xBC) {
            m = rep == Decoded.REP ? TZCNT : BSF;
        } else {
            m = rep == Decoded.REP ? LZCNT : BSR;
        }
        List<Operand> ops = new ArrayList<>(List.of(new Operand.Reg(v, regField), rm(v, false)));
        return finish(m, v, 0, ops, 0);
    }

    private Decoded hintNopOrEndbr() {
        modrm();
        if (rep == Decoded.REP && mod == 3 && (regField & 7) == 7 && (rmField & 7) == 2) {
            return finish(ENDBR64, 4, 0, new ArrayList<>(), 0);
        }
        int v = operandSize(0);
        List<Operand> ops = new ArrayList<>(List.of(rm(v, false)));
        return finish(NOP, v, 0, ops, 0);
    }

    private Decoded group7() {
        modrm();
        int r = reg3();
        if (mod != 3) {
            Mnemonic m = switch (r) {
                case 0 -> SGDT;
                case 1 -> SIDT;
                case 2 -> LGDT;
                case 3 -> LIDT;
                case 4 -> SMSW;
                case 6 -> LMSW;
                case 7 -> INVLPG;
                default -> UNSUPPORTED;
            };
            if (m == UNSUPPORTED) {
                skipMemory();
                return invalid(m);
            }
            int size = m == SMSW || m == LMSW ? 2 : m == INVLPG ? 1 : 10;
            List<Operand> ops = new ArrayList<>(List.of(memory(size)));
            return finish(m, m == SMSW || m == LMSW ? 2 : 8, 0, ops, 0);
        }
        int rm = rmField & 7;
        if (r == 4) {                       // SMSW r
            int v = operandSize(0);
            return finish(SMSW, v, 0, new ArrayList<>(List.of(new Operand.Reg(v, rmField))), 0);
        }
        if (r == 6) {                       // LMSW r16
            return finish(LMSW, 2, 0, new ArrayList<>(List.of(new Operand.Reg(2, rmField))), 0);
        }
        if (r == 7 && rm == 0) {
            return finish(SWAPGS, 8, 0, new ArrayList<>(), 0);
        }
        if (r == 7 && rm == 1) {
            return finish(RDTSCP, 8, 0, new ArrayList<>(), 0);
        }
        return invalid(UNSUPPORTED);             // VMX, MONITOR/MWAIT, XGETBV, CLAC/STAC, ...
    }

    private Decoded group15() {
        modrm();
        int r = reg3();
        if (mod == 3) {
            if (rep == Decoded.REP && r <= 3) {
                return invalid(UNSUPPORTED);   // RDFSBASE & co (FSGSBASE is not advertised)
            }
            if (p66 || rep != 0) {
                return invalid(UNSUPPORTED);   // the fences take no prefix; 66/F2/F3 forms are other instructions
            }
            return switch (r) {
                case 5 -> finish(LFENCE, 4, 0, new ArrayList<>(), 0);
                case 6 -> finish(MFENCE, 4, 0, new ArrayList<>(), 0);
                case 7 -> finish(SFENCE, 4, 0, new ArrayList<>(), 0);
                default -> invalid(UNSUPPORTED);
            };
        }
        if (r == 7 && !p66 && rep == 0) {
            return finish(CLFLUSH, 4, 0, new ArrayList<>(List.of(memory(1))), 0);
        }
        if (r <= 3 && !p66 && rep == 0) {
            Mnemonic m = switch (r) {
                case 0 -> rexW() ? FXSAVE64 : FXSAVE;
                case 1 -> rexW() ? FXRSTOR64 : FXRSTOR;
                case 2 -> LDMXCSR;
                default -> STMXCSR;
            };
            return finish(m, 4, 0, new ArrayList<>(List.of(memory(r <= 1 ? 0 : 4))), 0);
        }
        skipMemory();
        return invalid(UNSUPPORTED);
    }

    // ---- SSE/SSE2 and the x87 control instructions ----------------------------------------------------------------

    private static boolean sseRow(int b2) {
        return b2 >= 0x10 && b2 <= 0x17 || b2 >= 0x28 && b2 <= 0x2F || b2 >= 0x50 && b2 <= 0x7F
                || b2 >= 0xC2 && b2 <= 0xC6 || b2 >= 0xD0 && b2 <= 0xFE;
    }

    /** An SSE-family opcode (after 0F); rows without an SSE form under this prefix (MMX) decode as before. */
    private Decoded sse(int b2) {
        int prefix = ssePrefix();
        if (b2 == 0x77) {
            return prefix == SseMap.NONE ? finish(EMMS, 4, 0, new ArrayList<>(), 0) : invalid(UNSUPPORTED);
        }
        SseMap.Form f = SseMap.get(prefix, b2);
        if (f == null) {
            f = SseExtMap.two(prefix, b2);
        }
        if (f == null) {
            return table(TWO_BYTE[b2]);
        }
        return sseForm(f);
    }

    private int ssePrefix() {
        return rep == Decoded.REP ? SseMap.PF3 : rep == Decoded.REPNE ? SseMap.PF2 : p66 ? SseMap.P66 : SseMap.NONE;
    }

    /** An SSE form: ModRM, then the operands as the form names them. */
    private Decoded sseForm(SseMap.Form f) {
        modrm();
        Mnemonic m = f.mnemonic();
        if (f.group() != null) {
            m = f.group()[reg3()];
        } else if (mod == 3 && f.registerForm() != null) {
            m = f.registerForm();
            List<Operand> ops = new ArrayList<>(List.of(new Operand.Xmm(regField), new Operand.Xmm(rmField)));
            return finish(m, 16, 0, ops, 0);
        }
        if (m == MOVD && rexW()) {
            m = MOVQ;
        } else if (m == PEXTRD && rexW()) {
            m = PEXTRQ;
        } else if (m == PINSRD && rexW()) {
            m = PINSRQ;
        }
        List<Operand> ops = new ArrayList<>(3);
        boolean bad = m == null;
        for (String spec : f.ops()) {
            if (spec.equals("Ib")) {
                ops.add(new Operand.Imm(1, imm(1)));
                continue;
            }
            char kind = spec.charAt(0);
            if (((kind == 'U' || kind == 'N') && mod != 3) || (kind == 'M' && mod == 3)) {
                bad = true;
            }
            int size = spec.length() < 2 ? 16 : switch (spec.charAt(1)) {
                case 'x' -> 16;
                case 'q' -> 8;
                case 'd' -> 4;
                case 'w' -> 2;
                case 'b' -> 1;
                default -> rexW() ? 8 : 4;                     // y
            };
            ops.add(switch (kind) {
                case 'V' -> new Operand.Xmm(regField);
                case 'U' -> new Operand.Xmm(rmField);
                case 'G' -> new Operand.Reg(size, regField);
                case 'E' -> mod == 3 ? new Operand.Reg(Math.max(size, 4), rmField) : memory(size);
                case 'W' -> mod == 3 ? new Operand.Xmm(rmField) : memory(size);
                case 'P' -> new Operand.Mmx(regField & 7);           // MMX: REX.R/REX.B do not extend
                case 'N' -> new Operand.Mmx(rmField & 7);
                case 'Q' -> mod == 3 ? new Operand.Mmx(rmField & 7) : memory(size);
                default -> mod == 3 ? new Operand.Xmm(rmField) : memory(size);     // M
            });
        }
        if (bad) {
            return invalid(UD);
        }
        return finish(m, 16, 0, ops, 0);
    }

    /** D8-DF: every x87 instruction as {@link Mnemonic#FPU}; reserved and unimplemented encodings as {@link Mnemonic#X87}. */
    private Decoded x87(int b) {
        modrm();
        int r = reg3();
        int modrmByte = mod << 6 | r << 3 | (rmField & 7);
        int cond = (b & 7) << 8 | modrmByte;
        if (mod != 3) {
            int size = X87_MEMORY[b & 7][r];
            if (size < 0) {
                skipMemory();
                return invalid(X87);
            }
            return finish(FPU, p66 ? 2 : 4, cond, new ArrayList<>(List.of(memory(size))), 0);
        }
        if (!x87RegisterForm(b & 7, r, modrmByte)) {
            return invalid(X87);
        }
        return finish(FPU, p66 ? 2 : 4, cond, new ArrayList<>(), 0);
    }

    /** Memory operand sizes of the x87 memory forms by escape and ModRM.reg (-1: reserved). */
    private static final int[][] X87_MEMORY = {
            {4, 4, 4, 4, 4, 4, 4, 4}, {4, -1, 4, 4, 28, 2, 28, 2}, {4, 4, 4, 4, 4, 4, 4, 4}, {4, 4, 4, 4, -1, 10, -1, 10},
            {8, 8, 8, 8, 8, 8, 8, 8}, {8, 8, 8, 8, 108, -1, 108, 2}, {2, 2, 2, 2, 2, 2, 2, 2}, {2, 2, 2, 2, 10, 8, 10, 8}};

    /**
     * Whether a register form (mod = 3) is an x87 instruction this CPU executes; the undocumented aliases (D9 D8+i
     * FSTP, DC D0+i FCOM, DC D8+i FCOMP, DD C8+i FXCH, DE D0+i FCOMP, DF C0+i FFREEP, DF C8+i FXCH, DF D0+i/D8+i FSTP)
     * run, as on the host CPU.
     */
    private static boolean x87RegisterForm(int escape, int r, int modrmByte) {
        return switch (escape) {
            case 1 -> switch (r) {
                case 2 -> modrmByte == 0xD0;
                case 4 -> modrmByte == 0xE0 || modrmByte == 0xE1 || modrmByte == 0xE4 || modrmByte == 0xE5;
                case 5 -> modrmByte != 0xEF;
                case 6, 7 -> true;
                default -> true;
            };
            case 2 -> r < 4 || modrmByte == 0xE9;
            case 3 -> r != 7 && (r != 4 || modrmByte <= 0xE4);
            case 5 -> r < 6;
            case 6 -> r != 3 || modrmByte == 0xD9;
            case 7 -> r < 4 || r == 5 || r == 6 || modrmByte == 0xE0;
            default -> true;
        };
    }

    private Decoded group9() {
        modrm();
        int r = reg3();
        if (mod != 3 && r == 1) {
            boolean wide = rexW();
            List<Operand> ops = new ArrayList<>(List.of(memory(wide ? 16 : 8)));
            return finish(wide ? CMPXCHG16B : CMPXCHG8B, wide ? 16 : 8, 0, ops, 0);
        }
        if (mod == 3 && r == 7 && rep == Decoded.REP) {
            return finish(RDPID, 8, 0, new ArrayList<>(List.of(new Operand.Reg(8, rmField))), 0);
        }
        if (mod == 3 && r >= 6 && rep == 0) {
            int v = operandSize(0);
            return finish(r == 6 ? RDRAND : RDSEED, v, 0, new ArrayList<>(List.of(new Operand.Reg(v, rmField))), 0);
        }
        skipMemory();
        return invalid(mod == 3 && r >= 6 || mod != 3 && r >= 3 ? UNSUPPORTED : UD);
    }

    private Decoded threeByte38() {
        int b3 = next();
        opcodeByte = b3;
        SseMap.Form f = SseExtMap.map38(ssePrefix(), b3);
        if (f != null) {
            return sseForm(f);
        }
        modrm();
        if (b3 == 0xF6 && (p66 || rep == Decoded.REP) && rep != Decoded.REPNE) {
            int v = rexW() ? 8 : 4;                      // 66 is the mandatory prefix here, not an operand size
            List<Operand> ops = new ArrayList<>(List.of(new Operand.Reg(v, regField), rm(v, false)));
            return finish(rep == Decoded.REP ? ADOX : ADCX, v, 0, ops, 0);
        }
        if ((b3 == 0xF0 || b3 == 0xF1) && rep == 0 && mod != 3) {
            int v = operandSize(0);
            Operand reg = new Operand.Reg(v, regField);
            Operand mem = memory(v);
            List<Operand> ops = new ArrayList<>(b3 == 0xF0 ? List.of(reg, mem) : List.of(mem, reg));
            return finish(MOVBE, v, 0, ops, 0);
        }
        skipMemory();
        return invalid(UNSUPPORTED);
    }

    private Decoded threeByte3A() {
        int b3 = next();
        opcodeByte = b3;
        SseMap.Form f = SseExtMap.map3A(ssePrefix(), b3);
        if (f != null) {
            return sseForm(f);
        }
        return unsupportedModrm(1);
    }

    private Decoded unsupportedModrm(int trailingBytes) {
        modrm();
        skipMemory();
        for (int i = 0; i < trailingBytes; i++) {
            next();
        }
        return invalid(UNSUPPORTED);
    }

    private Decoded unsupportedEvex() {
        // EVEX (AVX-512): P0 P1 P2, opcode, ModRM (+ an immediate in map 3).
        int p0 = next();
        next();
        next();
        next();
        modrm();
        skipMemory();
        if ((p0 & 3) == 3) {
            next();
        }
        return invalid(UNSUPPORTED);
    }

    /**
     * VEX (C4/C5; always VEX in 64-bit mode): the BMI1/BMI2 instructions of maps 2 and 3. A VEX prefix after 66, F2,
     * F3, LOCK or REX is #UD, as are VEX.L=1 and a VEX.vvvv other than 1111 where the instruction has no such operand;
     * the AVX encodings are measured and unsupported.
     */
    private Decoded vex(int b) {
        boolean badPrefix = p66 || rep != 0 || lock || rex != 0;
        int map;
        int pp;
        boolean l;
        if (b == 0xC5) {
            int b1 = next();
            regFieldFromVex(b1);
            vexV = (~b1 >>> 3) & 0xF;
            l = (b1 & 4) != 0;
            pp = b1 & 3;
            map = 1;
        } else {
            int b1 = next();
            int b2 = next();
            rex = 0x40 | ((~b1 >>> 5) & 7);       // R X B from the inverted bits
            map = b1 & 0x1F;
            vexW = (b2 & 0x80) != 0;
            if (vexW) {
                rex |= 8;
            }
            vexV = (~b2 >>> 3) & 0xF;
            l = (b2 & 4) != 0;
            pp = b2 & 3;
        }
        int op = next();
        if (map == 0 || map > 3) {
            return invalid(UD);                   // reserved maps: #UD before any ModRM is read
        }
        if (map == 1 && op == 0x77) {
            return invalid(badPrefix ? UD : UNSUPPORTED);   // VZEROUPPER/VZEROALL: no ModRM
        }
        modrm();
        Mnemonic m = map == 2 ? vexMap2(op, pp) : map == 3 && op == 0xF0 && pp == 3 ? RORX : null;
        boolean bad = badPrefix || m == UD;
        if (m == null || bad || l || m == RORX && vexV != 0) {
            skipMemory();
            if (map == 3) {
                next();
            }
            return invalid(m == null && !badPrefix ? UNSUPPORTED : UD);
        }
        int v = vexW ? 8 : 4;
        Operand g = operand(G_Y, 0, 0), vv = operand(B_Y, 0, 0);
        List<Operand> ops = new ArrayList<>(3);
        switch (m) {
            case BLSR, BLSMSK, BLSI -> ops.addAll(List.of(vv, rm(v, false)));
            case ANDN, PDEP, PEXT, MULX -> ops.addAll(List.of(g, vv, rm(v, false)));
            case RORX -> ops.addAll(List.of(g, rm(v, false), new Operand.Imm(1, imm(1))));
            default -> ops.addAll(List.of(g, rm(v, false), vv));          // BEXTR BZHI SARX SHLX SHRX
        }
        return finish(m, v, 0, ops, 0);
    }

    /** Map 2 (0F 38) under VEX: the BMI1/BMI2 row F2-F7 by VEX.pp; null for everything else (AVX). */
    private Mnemonic vexMap2(int op, int pp) {
        return switch (op) {
            case 0xF2 -> pp == 0 ? ANDN : null;
            case 0xF3 -> pp != 0 ? null : switch (reg3()) {
                case 1 -> BLSR;
                case 2 -> BLSMSK;
                case 3 -> BLSI;
                default -> UD;
            };
            case 0xF5 -> switch (pp) {
                case 0 -> BZHI;
                case 2 -> PEXT;
                case 3 -> PDEP;
                default -> null;
            };
            case 0xF6 -> pp == 3 ? MULX : null;
            case 0xF7 -> switch (pp) {
                case 0 -> BEXTR;
                case 1 -> SHLX;
                case 2 -> SARX;
                default -> SHRX;
            };
            default -> null;
        };
    }

    private void regFieldFromVex(int b1) {
        rex = 0x40 | ((~b1 >>> 5) & 4);          // VEX.R̄ → REX.R
    }


    private Decoded groupF6F7(int b) {
        modrm();
        int size = b == 0xF6 ? 1 : operandSize(0);
        Mnemonic m = switch (reg3()) {
            case 0, 1 -> TEST;
            case 2 -> NOT;
            case 3 -> NEG;
            case 4 -> MUL;
            case 5 -> IMUL;
            case 6 -> DIV;
            default -> IDIV;
        };
        List<Operand> ops = new ArrayList<>();
        ops.add(rm(size, true));
        if (m == TEST) {
            ops.add(size == 1 ? new Operand.Imm(1, imm(1)) : operand(I_Z, size, 0));
        }
        return finish(m, size, 0, ops, 0);
    }

    private Decoded groupFF() {
        modrm();
        int r = reg3();
        return switch (r) {
            case 0, 1 -> {
                int v = operandSize(0);
                yield finish(r == 0 ? INC : DEC, v, 0, new ArrayList<>(List.of(rm(v, false))), 0);
            }
            case 2, 4 -> finish(r == 2 ? CALL : JMP, 8, 0, new ArrayList<>(List.of(rm(8, false))), F64);
            case 3, 5 -> {
                if (mod == 3) {
                    yield invalid(UD);
                }
                skipMemory();
                yield invalid(UNSUPPORTED);      // far call/jump through memory
            }
            case 6 -> {
                int v = operandSize(D64);
                yield finish(PUSH, v, 0, new ArrayList<>(List.of(rm(v, false))), D64);
            }
            default -> {
                skipMemory();
                yield invalid(UD);
            }
        };
    }
}
