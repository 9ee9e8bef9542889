package org.paravane.emulated.cpu.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.paravane.emulated.testing.TestVm;

/**
 * Seeded random guest programs of many blocks, for comparing the translator with the interpreter: bounded loops
 * (nested, with backward branches), calls and returns (direct and through a register, functions calling earlier
 * ones), forward branches on flags set in another block, balanced pushes and pops, loads and stores into a data area
 * (also across its page boundary), string instructions, ALU/shift/rotate/multiply/divide/bit instructions of every
 * width, flag readers (ADC, SETcc, CMOVcc, PUSHF) and a few SSE instructions. A program ends in the result store, or
 * earlier in an exception (a division overflow, say) that both sides must raise at the same instruction.
 *
 * <p>Register use: R12 is the loop counter (saved on the stack by inner loops), R14 a masked index, R15 points into
 * the data area, RSP the stack; the others are free.
 */
final class RandomPrograms {
    /** The data area the programs load from and store to: {@link TestVm#DATA}, two pages. */
    static final long DATA = TestVm.DATA, DATA_SIZE = 0x2000;

    private static final String[] R64 = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r13"};
    private static final String[] R32 = {"eax", "ebx", "ecx", "edx", "esi", "edi", "ebp", "r8d", "r9d", "r10d", "r11d", "r13d"};
    private static final String[] R16 = {"ax", "bx", "cx", "dx", "si", "di", "bp", "r8w", "r9w", "r10w", "r11w", "r13w"};
    private static final String[] R8 = {"al", "bl", "cl", "dl", "sil", "dil", "bpl", "r8b", "r9b", "r10b", "r11b", "r13b"};
    private static final String[] CC = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};
    private static final String[] ALU = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test"};
    private static final String[] SHIFTS = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sar"};

    private final Random rnd;
    private final StringBuilder out = new StringBuilder();
    private int labels;
    private int functions;
    private int loopDepth;
    private boolean inFunction;

    private RandomPrograms(long seed) {
        this.rnd = new Random(seed);
    }

    /** The assembly text of program {@code seed}. */
    static String program(long seed) {
        return new RandomPrograms(seed).build();
    }

    private String build() {
        functions = 1 + rnd.nextInt(4);
        // Code placed anywhere in its first page, so blocks and instructions cross into the next one at varied places.
        line("jmp start\n .skip " + rnd.nextInt(4000) + ", 0x90\n start:");
        // The prologue fills the data area from a seeded xorshift, sets every free register and the flags.
        line("mov r15, " + (DATA + 0x800));
        line("lea rdi, [r15 - 0x800]");
        line("movabs rax, " + (rnd.nextLong() | 1));
        line("mov ecx, " + DATA_SIZE / 8);
        line("fill: mov rdx, rax\n shl rdx, 13\n xor rax, rdx\n mov rdx, rax\n shr rdx, 7\n xor rax, rdx\n"
                + " mov rdx, rax\n shl rdx, 17\n xor rax, rdx\n stosq\n dec ecx\n jnz fill");
        for (String r : R64) {
            line("movabs " + r + ", " + value(8));
        }
        line("push " + (0x202 | (rnd.nextInt() & 0x8D5)) + "\n popfq");
        int n = 12 + rnd.nextInt(20), fault = rnd.nextInt(4) == 0 ? rnd.nextInt(n) : -1;
        for (int i = 0; i < n; i++) {
            if (i == fault) {
                line(fault());
            }
            statement(functions);
        }
        line("mov [" + TestVm.RESULT + "], rax");
        line("hlt");
        for (int f = 0; f < functions; f++) {
            line("f" + f + ":");
            inFunction = true;                               // a caller's loop counter is saved around loops
            statements(3 + rnd.nextInt(8), f);
            line("ret");
        }
        return out.toString();
    }

    private void line(String s) {
        out.append(' ').append(s).append('\n');
    }

    /** {@code n} statements; {@code callable}: functions below this number may be called. */
    private void statements(int n, int callable) {
        for (int i = 0; i < n; i++) {
            statement(callable);
        }
    }

    private void statement(int callable) {
        int k = rnd.nextInt(100);
        if (k < 8 && loopDepth < 2) {
            loop(callable);
        } else if (k < 16) {
            branch(callable);
        } else if (k < 21 && callable > 0) {
            call(callable);
        } else if (k < 25) {
            pushed(callable);
        } else if (k < 27) {
            jumpThroughRet();
        } else {
            line(instruction());
        }
    }

    /** A bounded loop: R12 counts down to zero; an outer loop's counter is saved around it. */
    private void loop(int callable) {
        int l = labels++;
        loopDepth++;
        boolean save = loopDepth > 1 || inFunction;
        if (save) {
            line("push r12");
        }
        line("mov r12d, " + (1 + rnd.nextInt(12)));
        line("lp_" + l + ":");
        if (loopDepth > 1 || rnd.nextBoolean()) {
            line("push r12");
            statements(1 + rnd.nextInt(6), callable);
            line("pop r12");
        } else {
            // no push: the body must keep R12, so only instructions (they never name it)
            for (int i = rnd.nextInt(6); i >= 0; i--) {
                line(instruction());
            }
        }
        line(rnd.nextBoolean() ? "dec r12\n jnz lp_" + l : "sub r12d, 1\n jg lp_" + l);
        if (save) {
            line("pop r12");
        }
        loopDepth--;
    }

    /** A forward branch on flags the statement before set (often in another block), with an else part sometimes. */
    private void branch(int callable) {
        int l = labels++;
        line("j" + CC[rnd.nextInt(16)] + " tk_" + l);
        statements(1 + rnd.nextInt(4), callable);
        if (rnd.nextBoolean()) {
            line("jmp el_" + l);
            line("tk_" + l + ":");
            statements(1 + rnd.nextInt(4), callable);
            line("el_" + l + ":");
        } else {
            line("tk_" + l + ":");
        }
    }

    private void call(int callable) {
        int f = rnd.nextInt(callable);
        switch (rnd.nextInt(3)) {
            case 0 -> line("lea r14, [rip + f" + f + "]\n call r14");
            case 1 -> line("lea r14, [rip + f" + f + "]\n push r14\n call [rsp]\n pop r14");
            default -> line("call f" + f);
        }
    }

    /** A RET to an address it did not call from (pushed by hand), and an indirect JMP. */
    private void jumpThroughRet() {
        int l = labels++;
        line(rnd.nextBoolean() ? "lea r14, [rip + rt_" + l + "]\n push r14\n ret" : "lea r14, [rip + rt_" + l + "]\n jmp r14");
        line(instruction());
        line("rt_" + l + ":");
    }

    /** A push, statements, and a pop into another place: the stack stays balanced. */
    private void pushed(int callable) {
        line(switch (rnd.nextInt(4)) {
            case 0 -> "push " + mem(8);
            case 1 -> "push " + imm(4);
            case 2 -> "pushfq";
            default -> "push " + pick(R64);
        });
        statements(rnd.nextInt(3), callable);
        if (rnd.nextInt(3) == 0) {
            line(pick(new String[] {"mov ", "add ", "xor ", "cmp "}) + r(8) + ", qword ptr [rsp]");
        }
        line(rnd.nextInt(4) == 0 ? "pop " + mem(8) : "pop " + pick(R64));
    }

    private String instruction() {
        int k = rnd.nextInt(100);
        if (k < 25) {
            return alu();
        } else if (k < 40) {
            return move();
        } else if (k < 50) {
            return shift();
        } else if (k < 56) {
            return unary();
        } else if (k < 62) {
            return mulDiv();
        } else if (k < 70) {
            return bits();
        } else if (k < 80) {
            return flagReader();
        } else if (k < 84) {
            return string();
        } else if (k < 90) {
            return sse();
        }
        return misc();
    }

    private String alu() {
        String op = pick(ALU);
        int size = size();
        return op + " " + switch (rnd.nextInt(5)) {
            case 0 -> r(size) + ", " + r(size);
            case 1 -> r(size) + ", " + imm(size);
            case 2 -> op.equals("test") ? mem(size) + ", " + r(size) : r(size) + ", " + mem(size);
            case 3 -> mem(size) + ", " + r(size);
            default -> mem(size) + ", " + imm(size);
        };
    }

    private String move() {
        int size = size();
        return switch (rnd.nextInt(14)) {
            case 11 -> "lea " + r(rnd.nextBoolean() ? 8 : 4) + ", [" + pick(R32) + " + " + pick(R32) + "*"
                    + (1 << rnd.nextInt(4)) + " - " + rnd.nextInt(4096) + "]";
            case 12 -> "mov " + r(size) + ", " + mem(size).replace("r15", "r15d");
            case 13 -> rnd.nextBoolean() ? "mov " + r(size) + ", " + ptr(size) + "[rip + fill + " + rnd.nextInt(30) + "]"
                    : "push rsp\n pop r14\n sub r14, rsp\n add " + r(8) + ", r14";
            case 0 -> "mov " + r(size) + ", " + r(size);
            case 1 -> "mov " + r(size) + ", " + mem(size);
            case 2 -> "mov " + mem(size) + ", " + r(size);
            case 3 -> "mov " + mem(size) + ", " + imm(size);
            case 4 -> size == 8 ? "movabs " + r(8) + ", " + value(8) : "mov " + r(size) + ", " + imm(size);
            case 5 -> (rnd.nextBoolean() ? "movzx " : "movsx ") + r(rnd.nextBoolean() ? 4 : 8) + ", "
                    + (rnd.nextBoolean() ? r(rnd.nextBoolean() ? 1 : 2) : mem(rnd.nextBoolean() ? 1 : 2));
            case 6 -> "movsxd " + r(8) + ", " + (rnd.nextBoolean() ? r(4) : mem(4));
            case 7 -> "lea " + r(rnd.nextBoolean() ? 8 : 4) + ", [" + pick(R64) + " + " + pick(R64) + "*"
                    + (1 << rnd.nextInt(4)) + " + " + rnd.nextInt(4096) + "]";
            case 8 -> "xchg " + r(size) + ", " + (rnd.nextBoolean() ? r(size) : mem(size));
            case 9 -> "xadd " + (rnd.nextBoolean() ? r(size) : mem(size)) + ", " + r(size);
            default -> "cmpxchg " + (rnd.nextBoolean() ? r(size) : mem(size)) + ", " + r(size);
        };
    }

    private String shift() {
        int size = size();
        String dst = rnd.nextInt(3) == 0 ? mem(size) : r(size);
        return switch (rnd.nextInt(4)) {
            case 0 -> pick(SHIFTS) + " " + dst + ", cl";
            case 1 -> pick(SHIFTS) + " " + dst + ", 1";
            case 2 -> (size == 1 ? pick(SHIFTS) + " " + dst + ", " + rnd.nextInt(8)
                    : (rnd.nextBoolean() ? "shld " : "shrd ") + dst + ", " + r(size) + ", " + (rnd.nextBoolean() ? "cl" : "" + rnd.nextInt(size * 8)));
            default -> pick(SHIFTS) + " " + dst + ", " + rnd.nextInt(size * 8 + 2);
        };
    }

    private String unary() {
        int size = size();
        String dst = rnd.nextInt(3) == 0 ? mem(size) : r(size);
        return switch (rnd.nextInt(4)) {
            case 0 -> "inc " + dst;
            case 1 -> "dec " + dst;
            case 2 -> "neg " + dst;
            default -> "not " + dst;
        };
    }

    private String mulDiv() {
        int size = size();
        return switch (rnd.nextInt(5)) {
            case 0 -> size == 1 ? "imul " + r(1) : "imul " + r(size) + ", " + (rnd.nextBoolean() ? r(size) : mem(size));
            case 1 -> size == 1 ? "mul " + mem(1) : "imul " + r(size) + ", " + r(size) + ", " + imm(size);
            case 2 -> (rnd.nextBoolean() ? "mul " : "imul ") + (rnd.nextBoolean() ? r(size) : mem(size));
            // RDX cleared and an odd divisor: no #DE; the signed form overflows once in a while (a fault to compare)
            case 3 -> "mov r14, " + pick(R64) + "\n or r14, 1\n xor edx, edx\n div r14";
            default -> "mov r14, " + pick(R64) + "\n or r14, 3\n cqo\n idiv r14";
        };
    }

    private String bits() {
        int size = Math.max(2, size());
        String src = rnd.nextBoolean() ? r(size) : mem(size);
        return switch (rnd.nextInt(8)) {
            case 0 -> "bt" + new String[] {"", "s", "r", "c"}[rnd.nextInt(4)] + " " + r(size) + ", " + rnd.nextInt(size * 8);
            case 1 -> "bt" + new String[] {"", "s", "r", "c"}[rnd.nextInt(4)] + " " + (rnd.nextBoolean() ? r(size) : mem(size))
                    + ", " + rnd.nextInt(size * 8);
            case 2 -> (rnd.nextBoolean() ? "bsf " : "bsr ") + r(size) + ", " + src;
            case 3 -> "popcnt " + r(size) + ", " + src;
            case 4 -> (rnd.nextBoolean() ? "lzcnt " : "tzcnt ") + r(size) + ", " + src;
            case 5 -> "bswap " + r(rnd.nextBoolean() ? 4 : 8);
            case 6 -> "mov r14d, " + pick(R32) + "\n and r14d, 0x3ff\n bt" + new String[] {"", "s", "r", "c"}[rnd.nextInt(4)]
                    + " " + mem(size) + ", " + (size == 2 ? "r14w" : size == 4 ? "r14d" : "r14");
            default -> "andn " + r(8) + ", " + r(8) + ", " + r(8);
        };
    }

    private String flagReader() {
        String cc = pick(CC);
        int size = Math.max(2, size());
        return switch (rnd.nextInt(6)) {
            case 0 -> "set" + cc + " " + (rnd.nextBoolean() ? r(1) : mem(1));
            case 1 -> "cmov" + cc + " " + r(size) + ", " + (rnd.nextBoolean() ? r(size) : mem(size));
            case 2 -> "pushfq\n pop " + pick(R64);
            case 3 -> (rnd.nextBoolean() ? "adc " : "sbb ") + r(size) + ", " + (rnd.nextBoolean() ? r(size) : imm(size));
            case 4 -> rnd.nextBoolean() ? "cmc" : rnd.nextBoolean() ? "stc" : "clc";
            default -> "lahf\n " + (rnd.nextBoolean() ? "sahf" : "mov " + pick(new String[] {"al", "bl", "cl", "dl"}) + ", ah");
        };
    }

    /** A string instruction with its own pointers and a small count, one unit. */
    private String string() {
        String suffix = "bwdq".charAt(rnd.nextInt(4)) + "";
        String op = switch (rnd.nextInt(5)) {
            case 0 -> "rep movs" + suffix;
            case 1 -> "rep stos" + suffix;
            case 2 -> (rnd.nextBoolean() ? "repe cmps" : "repne cmps") + suffix;
            case 3 -> (rnd.nextBoolean() ? "repe scas" : "repne scas") + suffix;
            default -> "lods" + suffix;
        };
        return "lea rsi, [r15 - " + (1 + rnd.nextInt(0x800)) + "]\n lea rdi, [r15 + " + rnd.nextInt(0x700)
                + "]\n mov ecx, " + rnd.nextInt(40) + (rnd.nextInt(4) == 0 ? "\n std\n " + op + "\n cld" : "\n " + op);
    }

    private String sse() {
        String x = "xmm" + rnd.nextInt(8), y = "xmm" + rnd.nextInt(8);
        return switch (rnd.nextInt(8)) {
            case 0 -> "movq " + x + ", " + pick(R64);
            case 1 -> "movq " + pick(R64) + ", " + x;
            case 2 -> pick(new String[] {"paddq", "psubd", "pxor", "pand", "por", "paddb", "punpcklqdq"}) + " " + x + ", " + y;
            case 3 -> "movdqu " + x + ", " + mem(16);
            case 4 -> "movdqu " + mem(16) + ", " + x;
            case 5 -> pick(new String[] {"addsd", "mulsd", "subsd", "maxsd", "minsd"}) + " " + x + ", " + y;
            case 6 -> "cvtsi2sd " + x + ", " + pick(R64);
            default -> "movsd " + mem(8) + ", " + x;
        };
    }

    /** An instruction that faults (in the middle of a block, after state the block changed). */
    private String fault() {
        return switch (rnd.nextInt(5)) {
            case 0 -> "mov " + r(8) + ", qword ptr [0x12345000]";
            case 1 -> "mov r14, 0x8000000000000000\n add " + r(4) + ", [r14]";
            case 2 -> "xor r14d, r14d\n div r14";
            case 3 -> "ud2";
            default -> "mov qword ptr [0x2345678], " + r(8);
        };
    }

    private String misc() {
        return switch (rnd.nextInt(6)) {
            case 0 -> pick(new String[] {"cqo", "cdq", "cwde", "cbw", "cdqe", "cwd"});
            case 1 -> "nop";
            case 2 -> "movzx r14d, " + pick(R8) + "\n inc qword ptr [r15 + r14*8 - 0x800]";
            case 3 -> "lock " + pick(new String[] {"add", "sub", "or", "and", "xor"}) + " " + mem(4) + ", " + r(4);
            case 4 -> "xor " + r(4) + ", " + r(4);
            default -> "test " + r(8) + ", " + r(8);
        };
    }

    private String pick(String[] a) {
        return a[rnd.nextInt(a.length)];
    }

    private int size() {
        return switch (rnd.nextInt(8)) {
            case 0 -> 1;
            case 1 -> 2;
            case 2, 3, 4 -> 4;
            default -> 8;
        };
    }

    private String r(int size) {
        int i = rnd.nextInt(R64.length);
        return switch (size) {
            case 1 -> R8[i];
            case 2 -> R16[i];
            case 4 -> R32[i];
            default -> R64[i];
        };
    }

    /** A memory operand in the data area: R15-relative, or indexed by a byte of a free register. */
    private String mem(int size) {
        String ptr = ptr(size);
        int disp = rnd.nextInt(0x1000 - 16) - 0x800;
        if (rnd.nextInt(8) == 0) {
            disp = 0x800 - rnd.nextInt(size + 1);          // across the page boundary in the middle of the area
        }
        return ptr + "[r15 " + (disp < 0 ? "- " + -disp : "+ " + disp) + "]";
    }

    private static String ptr(int size) {
        return switch (size) {
            case 1 -> "byte ptr ";
            case 2 -> "word ptr ";
            case 4 -> "dword ptr ";
            case 8 -> "qword ptr ";
            default -> "xmmword ptr ";
        };
    }

    private String imm(int size) {
        long v = value(Math.min(size, 4));
        if (size >= 4) {
            v = (int) v;
        }
        return Long.toString(size == 1 ? v & 0xFF : size == 2 ? v & 0xFFFF : v);
    }

    private long value(int size) {
        long v = switch (rnd.nextInt(10)) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> -1;
            case 3 -> 1L << (size * 8 - 1);
            case 4 -> (1L << (size * 8 - 1)) - 1;
            case 5 -> rnd.nextInt(256);
            case 6 -> -rnd.nextInt(256);
            default -> rnd.nextLong();
        };
        return size == 8 ? v : v & ((1L << (8 * size)) - 1);
    }

    /** The programs of seeds {@code [first, first + count)}. */
    static List<String> programs(long first, int count) {
        List<String> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            all.add(program(first + i));
        }
        return all;
    }
}
