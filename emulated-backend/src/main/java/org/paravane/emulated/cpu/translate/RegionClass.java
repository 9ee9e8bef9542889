package org.paravane.emulated.cpu.translate;

import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_void;
import static org.paravane.emulated.cpu.translate.BlockCompiler.CD_CPU;
import static org.paravane.emulated.cpu.translate.BlockCompiler.CD_INSN;
import static org.paravane.emulated.cpu.translate.BlockCompiler.CD_INSNS;
import static org.paravane.emulated.cpu.translate.BlockCompiler.SELF;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;
import org.paravane.emulated.cpu.CompiledBlock;

/**
 * The class file of a region's translation: the region's {@code Insn}s in static final fields (from the class data,
 * so the JIT sees each as a constant), and {@code run} as {@link BlockCompiler} writes it, made smaller (fewer
 * blocks, then accessor calls instead of inlined TLB probes) until the JIT will compile it.
 */
final class RegionClass {
    private RegionClass() {
    }

    /**
     * The JIT leaves a method of more bytecode than this interpreted ({@code -XX:HugeMethodLimit}, with
     * {@code DontCompileHugeMethods} on by default): a region that would pass it loses blocks, and a lone block
     * whose inlined TLB probes would pass it is written with calls to the Cpu's accessors instead.
     */
    static final int HUGE_METHOD = 8000;

    /**
     * Most bytecode of a region of several blocks: K2 and K4 ran 20-40% slower with regions up to 8,000 bytes (JMH,
     * alternated with main's jar). Not yet checked why; C2's budget for what it inlines into one compilation
     * ({@code DesiredMethodLimit}) against the {@code MemorySegment} accesses of the inlined TLB probes is the guess.
     */
    static final int REGION_METHOD = 3000;

    /** The class file of {@code region}'s translation: its class data is {@link Region#insns()}. */
    static Compiled compile(Region region, boolean prefixes, TranslationSettings inline, ClassLoader loader) {
        ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofClassLoading(loader))));
        for (Region r = region; ; r = r.first(r.size() / 2)) {
            byte[] bytes = build(cf, r, prefixes, inline, true);
            if (runLength(cf, bytes) <= (r.size() == 1 ? HUGE_METHOD : REGION_METHOD)) {
                return new Compiled(r, bytes);
            }
            if (r.size() == 1) {
                return new Compiled(r, build(cf, r, prefixes, inline, false));
            }
        }
    }

    /** A class file and the region it was written for (the one asked for, or its first blocks). */
    record Compiled(Region region, byte[] classFile) {
    }

    /** The bytecode length of {@code run} in {@code classFile}. */
    static int runLength(ClassFile cf, byte[] classFile) {
        return cf.parse(classFile).methods().stream().filter(m -> m.methodName().equalsString("run"))
                .flatMap(m -> m.code().stream()).mapToInt(c -> ((java.lang.classfile.attribute.CodeAttribute) c)
                        .codeLength()).sum();
    }

    private static byte[] build(ClassFile cf, Region region, boolean prefixes, TranslationSettings inline,
            boolean inlineProbes) {
        int count = region.insns().length;
        return cf.build(SELF, cb -> {
            cb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            cb.withInterfaceSymbols(ClassDesc.ofDescriptor(CompiledBlock.class.descriptorString()));
            for (int i = 0; i < count; i++) {
                cb.withField("i" + i, CD_INSN, ClassFile.ACC_STATIC | ClassFile.ACC_FINAL | ClassFile.ACC_PRIVATE);
            }
            cb.withMethodBody("<clinit>", MethodTypeDesc.of(CD_void), ClassFile.ACC_STATIC, c -> {
                c.loadConstant(DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA, ConstantDescs.DEFAULT_NAME,
                        CD_INSNS));
                c.checkcast(CD_INSNS);
                for (int i = 0; i < count; i++) {
                    c.dup();
                    c.loadConstant(i);
                    c.aaload();
                    c.putstatic(SELF, "i" + i, CD_INSN);
                }
                c.pop();
                c.return_();
            });
            cb.withMethodBody("<init>", MethodTypeDesc.of(CD_void), ClassFile.ACC_PUBLIC, c -> {
                c.aload(0);
                c.invokespecial(CD_Object, "<init>", MethodTypeDesc.of(CD_void));
                c.return_();
            });
            cb.withMethodBody("run", MethodTypeDesc.of(CD_int, CD_CPU, CD_int), ClassFile.ACC_PUBLIC
                    | ClassFile.ACC_FINAL, c -> BlockCompiler.emitRun(region, c, prefixes, inline, inlineProbes));
        });
    }
}
