package org.paravane.difftest;

import static org.paravane.difftest.SequenceGenerator.AF;
import static org.paravane.difftest.SequenceGenerator.ALL;
import static org.paravane.difftest.SequenceGenerator.CF;
import static org.paravane.difftest.SequenceGenerator.OF;
import static org.paravane.difftest.SequenceGenerator.PF;
import static org.paravane.difftest.SequenceGenerator.SF;
import static org.paravane.difftest.SequenceGenerator.ZF;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Hand-written cases for every supported instruction form: each form (operation x operand size x register,
 * immediate and memory operands) runs from a set of edge-value states (zero, one, all ones, the signed extremes,
 * byte boundaries, random bits), with RAX/RBX/RCX/RDX as the operands and a memory operand at {@code [R15 + 0x40]}
 * holding RBX's value. The flags each form leaves undefined are masked.
 */
public final class InstructionForms {
    private InstructionForms() {
    }

    /** One form: its lines (a leading preamble may set registers) and flag behaviour. */
    record Form(String name, String text, long reads, long defines, long undefined, boolean stepwise) {
        static Form of(String text, long defines, long undefined) {
            return new Form(text, text, 0, defines, undefined, true);
        }
    }

    static final long[][] VALUES = {
            {0, 0}, {1, 1}, {-1, 1}, {0x7FFF_FFFF_FFFF_FFFFL, 1}, {0x8000_0000_0000_0000L, -1},
            {0x80, 0x80}, {0x7F, 0x01}, {0xFFFF_FFFFL, 0xFFFF_FFFFL}, {0x8000_0000L, 0x7FFF_FFFFL},
            {0x1234_5678_9ABC_DEF0L, 0x0FED_CBA9_8765_4321L}, {-2, 3}, {0xFF00, 0xFF}};

    static final String[] Q = {"rax", "rbx", "rcx", "rdx"};

    static String reg(int size, int which) {
        return SequenceGenerator.reg(size, new int[] {0, 3, 1, 2}[which]);
    }

    static String mem(int size) {
        return SequenceGenerator.ptr(size) + "[r15 + 0x40]";
    }

    static final int[] SIZES = {1, 2, 4, 8};
    static final String[] ALU = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test"};

    /** All forms. */
    static List<Form> forms() {
        List<Form> f = new ArrayList<>();
        for (String op : ALU) {
            boolean logic = op.equals("or") || op.equals("and") || op.equals("xor") || op.equals("test");
            long def = logic ? ALL & ~AF : ALL, und = logic ? AF : 0;
            long reads = op.equals("adc") || op.equals("sbb") ? CF : 0;
            for (int s : SIZES) {
                String a = reg(s, 0), b = reg(s, 1);
                f.add(new Form(op + " r" + s, op + " " + a + ", " + b, reads, def, und, true));
                f.add(new Form(op + " m" + s + ",r", op + " " + mem(s) + ", " + a, reads, def, und, true));
                if (!op.equals("test")) {
                    f.add(new Form(op + " r,m" + s, op + " " + a + ", " + mem(s), reads, def, und, true));
                }
                for (long imm : s == 1 ? new long[] {0, 1, 0x7F, 0x80, 0xFF} : new long[] {0, 1, -1, 0x7F, -128, 0x7FFF_FFFF, -0x8000_0000L}) {
                    long v = s == 2 ? imm & 0xFFFF : imm;
                    f.add(new Form(op + " r" + s + ",imm", op + " " + a + ", " + v, reads, def, und, true));
                    if (!op.equals("test")) {
                        f.add(new Form(op + " m" + s + ",imm", op + " " + mem(s) + ", " + v, reads, def, und, true));
                    }
                }
                if (!op.equals("cmp") && !op.equals("test")) {
                    f.add(new Form("lock " + op + " m" + s, "lock " + op + " " + mem(s) + ", " + a, reads, def, und, true));
                }
            }
        }
        for (int s : SIZES) {
            String a = reg(s, 0);
            for (String op : new String[] {"inc", "dec"}) {
                f.add(Form.of(op + " " + a, ALL & ~CF, 0));
                f.add(Form.of("lock " + op + " " + mem(s), ALL & ~CF, 0));
            }
            f.add(Form.of("neg " + a, ALL, 0));
            f.add(Form.of("neg " + mem(s), ALL, 0));
            f.add(Form.of("not " + a, 0, 0));
            f.add(Form.of("not " + mem(s), 0, 0));
            for (String op : SequenceGenerator.SHIFTS) {
                boolean rotate = op.startsWith("r");
                long reads = op.equals("rcl") || op.equals("rcr") ? CF : 0;
                int bits = s * 8;
                for (int count : new int[] {0, 1, 2, bits - 1, bits, bits + 1, 31, 63}) {
                    long und = (count == 1 ? 0 : OF) | (rotate ? 0 : AF) | (!rotate && count >= bits ? CF : 0);
                    if (count == 0) {
                        und = 0;
                    }
                    f.add(new Form(op + " r" + s + "," + count, op + " " + a + ", " + count, reads, 0, und, true));
                    f.add(new Form(op + " m" + s + "," + count, op + " " + mem(s) + ", " + count, reads, 0, und, true));
                }
                long und = OF | (rotate ? 0 : AF) | (!rotate && s < 4 ? CF : 0);
                f.add(new Form(op + " r" + s + ",cl", op + " " + a + ", cl", reads, 0, und, true));
                f.add(new Form(op + " r" + s + ",1", op + " " + a + ", 1", reads, 0, rotate ? 0 : AF, true));
            }
            f.add(Form.of("mul " + reg(s, 1), CF | OF, SF | ZF | AF | PF));
            f.add(Form.of("imul " + mem(s), CF | OF, SF | ZF | AF | PF));
            f.add(Form.of("div " + reg(s, 1), 0, ALL));
            f.add(Form.of("idiv " + mem(s), 0, ALL));
            if (s > 1) {
                f.add(Form.of("imul " + a + ", " + reg(s, 1), CF | OF, SF | ZF | AF | PF));
                f.add(Form.of("imul " + a + ", " + mem(s) + ", 7", CF | OF, SF | ZF | AF | PF));
                f.add(Form.of("imul " + a + ", " + reg(s, 1) + ", -300", CF | OF, SF | ZF | AF | PF));
                for (String bt : new String[] {"bt", "bts", "btr", "btc"}) {
                    f.add(Form.of(bt + " " + a + ", " + reg(s, 1), CF, OF | SF | AF | PF));
                    f.add(Form.of(bt + " " + a + ", 5", CF, OF | SF | AF | PF));
                    f.add(Form.of(bt + " " + mem(s) + ", " + (s * 8 + 3), CF, OF | SF | AF | PF));
                    f.add(new Form(bt + " m" + s + ",reg-offset", "mov " + reg(s, 2) + ", " + (-5 * s * 8 + 3) + "\n "
                            + bt + " " + mem(s) + ", " + reg(s, 2), 0, CF, OF | SF | AF | PF, true));
                }
                for (String scan : new String[] {"bsf", "bsr"}) {
                    f.add(Form.of(scan + " " + a + ", " + reg(s, 1), ZF, CF | OF | SF | AF | PF));
                }
                for (String cnt : new String[] {"tzcnt", "lzcnt"}) {
                    f.add(Form.of(cnt + " " + a + ", " + reg(s, 1), CF | ZF, OF | SF | AF | PF));
                }
                f.add(Form.of("popcnt " + a + ", " + mem(s), ALL, 0));
                for (int count : s == 2 ? new int[] {0, 1, 7, 15, 16} : new int[] {0, 1, 7, s * 8 - 1}) {
                    for (String d : new String[] {"shld", "shrd"}) {
                        f.add(Form.of(d + " " + a + ", " + reg(s, 1) + ", " + count, count == 0 ? 0 : 0,
                                count == 0 ? 0 : AF | (count == 1 ? 0 : OF)));
                    }
                }
                f.add(Form.of("cmov" + "e " + a + ", " + reg(s, 1), 0, 0));
                f.add(Form.of("xchg " + a + ", " + reg(s, 1), 0, 0));
                f.add(Form.of("xchg " + mem(s) + ", " + a, 0, 0));
                f.add(Form.of("xadd " + mem(s) + ", " + a, ALL, 0));
                f.add(Form.of("lock cmpxchg " + mem(s) + ", " + reg(s, 2), ALL, 0));
                f.add(Form.of("cmpxchg " + reg(s, 1) + ", " + reg(s, 2), ALL, 0));
                f.add(Form.of("movbe " + a + ", " + mem(s), 0, 0));
                f.add(Form.of("movbe " + mem(s) + ", " + a, 0, 0));
            } else {
                f.add(Form.of("xchg al, bl", 0, 0));
                f.add(Form.of("xchg ah, bh", 0, 0));
                f.add(Form.of("xadd " + mem(1) + ", al", ALL, 0));
                f.add(Form.of("cmpxchg " + mem(1) + ", cl", ALL, 0));
            }
        }
        for (int s : new int[] {4, 8}) {
            String a = reg(s, 0), b = reg(s, 1), c = reg(s, 2);
            f.add(Form.of("andn " + a + ", " + b + ", " + c, ALL & ~(AF | PF), AF | PF));
            f.add(Form.of("bextr " + a + ", " + b + ", " + c, ZF | CF | OF, AF | SF | PF));
            f.add(Form.of("blsi " + a + ", " + b, ZF | SF | CF | OF, AF | PF));
            f.add(Form.of("blsmsk " + a + ", " + b, ZF | SF | CF | OF, AF | PF));
            f.add(Form.of("blsr " + a + ", " + b, ZF | SF | CF | OF, AF | PF));
            f.add(Form.of("bswap " + a, 0, 0));
            f.add(Form.of("imul " + a + ", " + b + ", 0x7fffffff", CF | OF, SF | ZF | AF | PF));
        }
        // Conditions: every condition code after flag patterns made by a SUB of the operands.
        for (int cc = 0; cc < 16; cc++) {
            String n = SequenceGenerator.CC[cc];
            f.add(Form.of("cmp rax, rbx\n set" + n + " cl\n cmov" + n + " rdx, rbx\n cmov" + n + " esi, eax", ALL, 0));
            f.add(Form.of("cmp al, bl\n j" + n + " 1f\n mov ecx, 7\n 1: nop", ALL, 0));
            f.add(Form.of("test rax, rbx\n set" + n + " byte ptr [r15 + 0x50]", ALL & ~AF, AF));
        }
        for (String loop : new String[] {"jrcxz", "jecxz", "loop", "loope", "loopne"}) {
            f.add(Form.of("mov ecx, eax\n and ecx, 3\n cmp rax, rbx\n 2: " + loop + " 1f\n jmp 2b\n 1: nop", ALL, 0));
        }
        // Moves and extensions.
        for (int s : SIZES) {
            f.add(Form.of("mov " + reg(s, 0) + ", " + reg(s, 1), 0, 0));
            f.add(Form.of("mov " + reg(s, 0) + ", " + mem(s), 0, 0));
            f.add(Form.of("mov " + mem(s) + ", " + reg(s, 0), 0, 0));
        }
        f.add(Form.of("movabs rax, 0x8000000000000001", 0, 0));
        f.add(Form.of("mov eax, -1", 0, 0));
        f.add(Form.of("mov ax, -2", 0, 0));
        f.add(Form.of("mov ah, 0x80", 0, 0));
        f.add(Form.of("mov qword ptr [r15 + 0x48], -5", 0, 0));
        f.add(Form.of("movabs rax, qword ptr [" + (Layout.DATA + 0x1040) + "]", 0, 0));
        f.add(Form.of("movabs dword ptr [" + (Layout.DATA + 0x1044) + "], eax", 0, 0));
        for (String x : new String[] {"movzx", "movsx"}) {
            for (String form : new String[] {" eax, bl", " eax, bh", " ax, bl", " eax, bx", " rax, word ptr [r15 + 0x40]",
                    " eax, byte ptr [r15 + 0x41]"}) {
                f.add(Form.of(x + form, 0, 0));
            }
        }
        f.add(Form.of("movsxd rax, ebx", 0, 0));
        f.add(Form.of("movsxd rax, dword ptr [r15 + 0x40]", 0, 0));
        for (String lea : new String[] {"lea rax, [rbx + rcx*4 + 0x10]", "lea eax, [rbx + rcx*8 - 1]", "lea ax, [rbx + rdx]",
                "lea rax, [rip + 0x100]", "lea eax, [ebx + ecx*2 + 5]", "lea rax, [rcx*2]", "lea r8, [r12 + r13*1]",
                "lea rax, [rbp]", "lea rax, [r13 + 0x7fffffff]", "lea rax, [rbx - 0x80000000]"}) {
            f.add(Form.of(lea, 0, 0));
        }
        for (String conv : new String[] {"cbw", "cwde", "cdqe", "cwd", "cdq", "cqo"}) {
            f.add(Form.of(conv, 0, 0));
        }
        for (String r : new String[] {"rcx", "r8", "r12"}) {
            f.add(Form.of("xchg rax, " + r, 0, 0));
        }
        f.add(Form.of("xchg eax, ebx", 0, 0));
        f.add(Form.of("lea rbx, [r15 + 0x100]\n xlatb", 0, 0));
        // Stack, calls.
        f.add(Form.of("push rax\n push bx\n pop cx\n pop rdx", 0, 0));
        f.add(Form.of("push -1\n push 0x7fffffff\n pop rax\n pop rbx", 0, 0));
        f.add(Form.of("push qword ptr [r15 + 0x40]\n pop qword ptr [r15 + 0x58]", 0, 0));
        f.add(Form.of("push rsp\n pop rax", 0, 0));
        f.add(Form.of("mov rbp, rsp\n enter 0x20, 0\n mov rax, rsp\n leave", 0, 0));
        f.add(Form.of("mov rbp, rsp\n enter 0x10, 3\n mov rax, rsp\n mov rbx, rbp\n leave", 0, 0));
        f.add(Form.of("call 1f\n jmp 2f\n 1: ret\n 2: nop", 0, 0));
        f.add(Form.of("call 1f\n jmp 2f\n 1: ret 8\n 2: nop", 0, 0));
        f.add(Form.of("lea rax, [rip + 1f]\n call rax\n jmp 2f\n 1: ret\n 2: nop", 0, 0));
        f.add(Form.of("lea rax, [rip + 1f]\n mov [r15 + 0x60], rax\n call qword ptr [r15 + 0x60]\n jmp 2f\n 1: ret\n 2: nop", 0, 0));
        f.add(Form.of("lea rax, [rip + 1f]\n jmp rax\n ud2\n 1: nop", 0, 0));
        // Strings.
        for (char sfx : "bwdq".toCharArray()) {
            for (String op : new String[] {"rep movs", "rep stos", "rep lods", "lods", "repe cmps", "repne cmps", "repe scas", "repne scas",
                    "movs", "stos", "cmps", "scas"}) {
                long def = op.contains("cmps") || op.contains("scas") ? ALL : 0;
                for (boolean down : new boolean[] {false, true}) {
                    String pre = "lea rsi, [r15 + 0x100]\n lea rdi, [r15 + 0x180]\n mov ecx, 9\n " + (down ? "std" : "cld") + "\n ";
                    f.add(Form.of(pre + op + sfx + "\n cld", def, 0));
                }
            }
        }
        f.add(Form.of("lea rsi, [r15 + 0x100]\n lea rdi, [r15 + 0x104]\n mov ecx, 40\n rep movsb", 0, 0));
        f.add(Form.of("lea rsi, [r15 + 0x100]\n mov rdi, rsi\n mov ecx, 0\n rep stosq", 0, 0));
        // Wide compare-exchange.
        f.add(Form.of("lock cmpxchg8b qword ptr [r15 + 0x40]", ZF, 0));
        f.add(Form.of("mov eax, [r15 + 0x40]\n mov edx, [r15 + 0x44]\n cmpxchg8b qword ptr [r15 + 0x40]", ZF, 0));
        f.add(Form.of("lock cmpxchg16b xmmword ptr [r15 + 0x40]", ZF, 0));
        f.add(Form.of("mov rax, [r15 + 0x40]\n mov rdx, [r15 + 0x48]\n cmpxchg16b xmmword ptr [r15 + 0x40]", ZF, 0));
        // Flags.
        for (String fl : new String[] {"clc", "stc", "cmc", "lahf", "sahf", "cld", "std"}) {
            f.add(Form.of(fl, fl.equals("lahf") || fl.startsWith("c") && !fl.equals("cld") || fl.equals("stc") ? CF : 0, 0));
        }
        f.add(new Form("pushf/popf", "pushfq\n pop rax\n or rax, 0xcd5\n push rax\n popfq\n pushfq\n pop rbx", 0, 0, 0, false));
        f.add(new Form("popf clears", "push 0\n popfq\n pushfq\n pop rax", 0, 0, 0, false));
        // No-ops and hints.
        for (String nop : new String[] {"nop", "nop dword ptr [rax + rax*1 + 0]", "nop word ptr [rax + rax*1 + 0]",
                "xchg ax, ax", "endbr64", "pause", "lfence", "mfence", "sfence", "prefetcht0 [r15]", "prefetchw [r15]",
                "clflush [r15 + 0x40]"}) {
            f.add(Form.of(nop, 0, 0));
        }
        // Faults.
        for (String fault : new String[] {"xor ebx, ebx\n div ebx", "mov rax, 0x8000000000000000\n mov rdx, -1\n mov rbx, -1\n idiv rbx",
                "ud2", ".byte 0x06", ".byte 0x0f, 0x04", "int3", "hlt", "in al, 0x60", "mov qword ptr [0x30000000], rax",
                "mov rax, 0x8000000000000000\n mov rbx, [rax]", "mov rsp, 0x8000000000000000\n push rax", ".byte 0xf0, 0x90",
                "mov rax, cr0", "wrmsr", "invlpg [rax]", "iretq", "mov ds, ax", "lea rax, [rip]\n jmp qword ptr [rax + 0x30000000]"}) {
            f.add(Form.of(fault, 0, 0));
        }
        return f;
    }

    /** The forms as test cases, each from several edge-value states. */
    public static List<TestCase> cases() {
        return cases(forms());
    }

    /** {@code forms} as test cases, each from the edge-value states. */
    static List<TestCase> cases(List<Form> forms) {
        List<String> names = new ArrayList<>();
        List<List<SequenceGenerator.G>> sequences = new ArrayList<>();
        List<long[]> regs = new ArrayList<>();
        List<byte[]> datas = new ArrayList<>();
        List<Boolean> stepwise = new ArrayList<>();
        Random r = new Random(5);
        for (Form form : forms) {
            for (int k = 0; k < VALUES.length; k++) {
                long a = VALUES[k][0], b = VALUES[k][1];
                long[] g = new long[18];
                for (int i = 0; i < 16; i++) {
                    g[i] = r.nextLong();
                }
                g[0] = a;
                g[3] = b;
                g[1] = new long[] {0, 1, 3, 7, 31, 32, 63, 64, 65, 255, -1, 16}[k];
                g[2] = k % 3 == 0 ? 0 : r.nextLong();
                g[4] = Layout.DATA + 0x3800;
                g[14] = 8;
                g[15] = Layout.DATA + 0x1000;
                g[17] = 0x202 | ((long) k * 0x135 & ALL);
                byte[] data = new byte[Layout.DATA_SIZE];
                r.nextBytes(data);
                ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putLong(0x1040, b).putLong(0x1048, ~b);
                names.add(form.name() + " #" + k);
                List<SequenceGenerator.G> seq = new ArrayList<>();
                // The flags a form reads must be defined: the initial flags always are.
                seq.add(new SequenceGenerator.G(form.text(), form.reads(), form.defines(), form.undefined(), -1));
                sequences.add(seq);
                regs.add(g);
                datas.add(data);
                stepwise.add(form.stepwise());
            }
        }
        List<GnuAs.Assembled> asm = GnuAs.assemble(sequences.stream()
                .map(s -> new GnuAs.Sequence(s.stream().map(SequenceGenerator.G::text).toList())).toList());
        List<TestCase> cases = new ArrayList<>();
        for (int i = 0; i < sequences.size(); i++) {
            long[][] masks = SequenceGenerator.masks(sequences.get(i));
            cases.add(new TestCase(names.get(i), asm.get(i).source(), asm.get(i).code(), asm.get(i).offsets(), masks[0],
                    masks[1], regs.get(i), Layout.DATA + 0x1000, datas.get(i), stepwise.get(i)));
        }
        return cases;
    }
}
