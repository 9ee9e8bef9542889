package org.paravane.emulated.cpu.exec.x87;

import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.Vectors;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.exec.Insn;

/**
 * Binds the x87 escapes (D8-DF; {@link Decoded#cond()} holds the escape's low bits and the ModRM byte, the decoder has
 * already rejected the reserved encodings) and FWAIT to their families.
 */
public final class X87Binder {
    private X87Binder() {
    }

    public static Insn bind(Decoded d) {
        if (d.mnemonic() == org.paravane.emulated.cpu.decode.Mnemonic.FWAIT) {
            return new Wait(d);
        }
        int escape = d.cond() >>> 8 & 7;
        int modrm = d.cond() & 0xFF;
        int reg = modrm >>> 3 & 7;
        return modrm >= 0xC0 ? register(d, escape, reg, modrm) : memory(d, escape, reg);
    }

    private static Insn memory(Decoded d, int escape, int reg) {
        return switch (escape) {
            case 0 -> arithOrCompare(d, reg, X87Arith.Source.M32FP, X87Compare.Source.M32FP);
            case 2 -> arithOrCompare(d, reg, X87Arith.Source.M32INT, X87Compare.Source.M32INT);
            case 4 -> arithOrCompare(d, reg, X87Arith.Source.M64FP, X87Compare.Source.M64FP);
            case 6 -> arithOrCompare(d, reg, X87Arith.Source.M16INT, X87Compare.Source.M16INT);
            case 1 -> switch (reg) {
                case 0 -> new X87Load.Load(d, X87Load.Kind.M32FP, 0);
                case 2, 3 -> new X87Store.Store(d, X87Store.Kind.M32FP, reg == 3);
                case 4 -> new X87Control.Control(d, X87Control.Op.LDENV);
                case 5 -> new X87Control.Control(d, X87Control.Op.LDCW);
                case 6 -> new X87Control.Control(d, X87Control.Op.STENV);
                default -> new X87Control.Control(d, X87Control.Op.STCW);
            };
            case 3 -> switch (reg) {
                case 0 -> new X87Load.Load(d, X87Load.Kind.M32INT, 0);
                case 1 -> new X87Store.Store(d, X87Store.Kind.M32TRUNC, true);
                case 2, 3 -> new X87Store.Store(d, X87Store.Kind.M32INT, reg == 3);
                case 5 -> new X87Load.Load(d, X87Load.Kind.M80FP, 0);
                default -> new X87Store.Store(d, X87Store.Kind.M80FP, true);
            };
            case 5 -> switch (reg) {
                case 0 -> new X87Load.Load(d, X87Load.Kind.M64FP, 0);
                case 1 -> new X87Store.Store(d, X87Store.Kind.M64TRUNC, true);
                case 2, 3 -> new X87Store.Store(d, X87Store.Kind.M64FP, reg == 3);
                case 4 -> new X87Control.Control(d, X87Control.Op.RSTOR);
                case 6 -> new X87Control.Control(d, X87Control.Op.SAVE);
                default -> new X87Control.Control(d, X87Control.Op.STSW);
            };
            default -> switch (reg) {                     // DF
                case 0 -> new X87Load.Load(d, X87Load.Kind.M16INT, 0);
                case 1 -> new X87Store.Store(d, X87Store.Kind.M16TRUNC, true);
                case 2, 3 -> new X87Store.Store(d, X87Store.Kind.M16INT, reg == 3);
                case 4 -> new X87Load.Load(d, X87Load.Kind.BCD, 0);
                case 5 -> new X87Load.Load(d, X87Load.Kind.M64INT, 0);
                case 6 -> new X87Store.Store(d, X87Store.Kind.BCD, true);
                default -> new X87Store.Store(d, X87Store.Kind.M64INT, true);
            };
        };
    }

    private static Insn arithOrCompare(Decoded d, int reg, X87Arith.Source a, X87Compare.Source c) {
        if (reg == 2 || reg == 3) {
            return new X87Compare.Compare(d, c, true, false, reg - 2);
        }
        return new X87Arith.Arith(d, reg, a, false, false);
    }

    /** DC and DE name SUB/SUBR and DIV/DIVR the other way round for ST(i) destinations. */
    private static final int[] TO_STI = {0, 1, 2, 3, 5, 4, 7, 6};

    private static Insn register(Decoded d, int escape, int reg, int modrm) {
        return switch (escape) {
            case 0 -> reg == 2 || reg == 3 ? new X87Compare.Compare(d, X87Compare.Source.REG, true, false, reg - 2)
                    : new X87Arith.Arith(d, reg, X87Arith.Source.REG, false, false);
            case 1 -> d9(d, reg, modrm);
            case 2 -> modrm == 0xE9 ? new X87Compare.Compare(d, X87Compare.Source.REG, false, false, 2)
                    : new X87Stack.Move(d, X87Stack.Op.CMOV, new int[] {2, 4, 6, 10}[reg]);
            case 3 -> switch (reg) {
                case 0, 1, 2, 3 -> new X87Stack.Move(d, X87Stack.Op.CMOV, new int[] {3, 5, 7, 11}[reg]);
                case 4 -> switch (modrm) {
                    case 0xE2 -> new X87Control.Control(d, X87Control.Op.CLEX);
                    case 0xE3 -> new X87Control.Control(d, X87Control.Op.INIT);
                    default -> new X87Control.Control(d, X87Control.Op.NOP287);
                };
                default -> new X87Compare.Compare(d, X87Compare.Source.REG, reg == 6, true, 0);
            };
            case 4 -> reg == 2 || reg == 3 ? new X87Compare.Compare(d, X87Compare.Source.REG, true, false, reg - 2)
                    : new X87Arith.Arith(d, TO_STI[reg], X87Arith.Source.REG, true, false);
            case 5 -> switch (reg) {
                case 0 -> new X87Stack.Move(d, X87Stack.Op.FREE, 0);
                case 1 -> new X87Stack.Move(d, X87Stack.Op.XCH, 0);
                case 2, 3 -> new X87Store.Store(d, X87Store.Kind.REG, reg == 3);
                default -> new X87Compare.Compare(d, X87Compare.Source.REG, false, false, reg - 4);
            };
            case 6 -> switch (reg) {
                case 2 -> new X87Compare.Compare(d, X87Compare.Source.REG, true, false, 1);
                case 3 -> new X87Compare.Compare(d, X87Compare.Source.REG, true, false, 2);     // FCOMPP
                default -> new X87Arith.Arith(d, TO_STI[reg], X87Arith.Source.REG, true, true);
            };
            default -> switch (reg) {                     // DF
                case 0 -> new X87Stack.Move(d, X87Stack.Op.FREEP, 0);
                case 1 -> new X87Stack.Move(d, X87Stack.Op.XCH, 0);
                case 2, 3 -> new X87Store.Store(d, X87Store.Kind.REG, true);
                case 4 -> new X87Control.Control(d, X87Control.Op.STSW_AX);
                default -> new X87Compare.Compare(d, X87Compare.Source.REG, reg == 6, true, 1);
            };
        };
    }

    private static Insn d9(Decoded d, int reg, int modrm) {
        return switch (reg) {
            case 0 -> new X87Load.Load(d, X87Load.Kind.REG, 0);
            case 1 -> new X87Stack.Move(d, X87Stack.Op.XCH, 0);
            case 2 -> new X87Stack.Move(d, X87Stack.Op.NOP, 0);
            case 3 -> new X87Store.Store(d, X87Store.Kind.REG, true);
            case 4 -> switch (modrm) {
                case 0xE0 -> new X87Unary.Unary(d, X87Unary.Op.CHS);
                case 0xE1 -> new X87Unary.Unary(d, X87Unary.Op.ABS);
                case 0xE4 -> new X87Compare.Compare(d, X87Compare.Source.ZERO, true, false, 0);
                default -> new X87Compare.Examine(d);
            };
            case 5 -> new X87Load.Load(d, X87Load.Kind.CONSTANT, modrm & 7);
            case 6 -> switch (modrm) {
                case 0xF0 -> new X87Transcendental.Trans(d, X87Transcendental.Op.F2XM1);
                case 0xF1 -> new X87Transcendental.Trans(d, X87Transcendental.Op.YL2X);
                case 0xF2 -> new X87Transcendental.Trans(d, X87Transcendental.Op.PTAN);
                case 0xF3 -> new X87Transcendental.Trans(d, X87Transcendental.Op.PATAN);
                case 0xF4 -> new X87Unary.Unary(d, X87Unary.Op.XTRACT);
                case 0xF5 -> new X87Unary.Unary(d, X87Unary.Op.PREM1);
                case 0xF6 -> new X87Stack.Move(d, X87Stack.Op.DECSTP, 0);
                case 0xF7 -> new X87Stack.Move(d, X87Stack.Op.INCSTP, 0);
                default -> throw unimplemented(d);
            };
            default -> switch (modrm) {
                case 0xF8 -> new X87Unary.Unary(d, X87Unary.Op.PREM);
                case 0xF9 -> new X87Transcendental.Trans(d, X87Transcendental.Op.YL2XP1);
                case 0xFA -> new X87Unary.Unary(d, X87Unary.Op.SQRT);
                case 0xFB -> new X87Transcendental.Trans(d, X87Transcendental.Op.SINCOS);
                case 0xFC -> new X87Unary.Unary(d, X87Unary.Op.RNDINT);
                case 0xFD -> new X87Unary.Unary(d, X87Unary.Op.SCALE);
                case 0xFE -> new X87Transcendental.Trans(d, X87Transcendental.Op.SIN);
                case 0xFF -> new X87Transcendental.Trans(d, X87Transcendental.Op.COS);
                default -> throw unimplemented(d);
            };
        };
    }

    /** The decoder sends the reserved encodings as {@code X87} (#UD), never here. */
    private static IllegalArgumentException unimplemented(Decoded d) {
        return new IllegalArgumentException("not an implemented x87 encoding: " + d);
    }

    /** #MF for a pending unmasked x87 exception (CR0.NE), as the MMX instructions check it too. */
    public static void pendingException(Cpu c) {
        X87Insn.pending(c);
    }

    /** FWAIT: #NM with CR0.TS and CR0.MP, then #MF for a pending unmasked exception. */
    static final class Wait extends Insn {
        Wait(Decoded d) {
            super(d);
        }

        @Override
        public void exec(Cpu c) {
            if ((c.cr0 & (X87Insn.CR0_TS | X87Insn.CR0_MP)) == (X87Insn.CR0_TS | X87Insn.CR0_MP)) {
                throw c.raise(Vectors.NM, -1);
            }
            X87Insn.pending(c);
        }
    }
}
