package org.paravane.emulated.cpu.translate;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.paravane.emulated.cpu.Block;
import org.paravane.emulated.cpu.CompiledBlock;
import org.paravane.emulated.cpu.Translation;
import org.paravane.emulated.cpu.exec.Insn;

/**
 * Translates one vCPU's hot blocks into hidden classes. Nothing static refers to them: a class lives as long as its
 * block (the code cache's pages, the jump cache and the links between blocks), so a VM's classes are unloaded with
 * it. When the class files of this vCPU exceed the code cache size, every translation is dropped at once
 * ({@code dropAll}, which empties the block cache) and hot blocks are translated again.
 */
public final class Translator implements Translation {
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    private final TranslationSettings settings;
    private final Runnable dropAll;
    private long bytes;
    private long translated, failed, nanos, flushes;
    private String lastFailure;

    public Translator(TranslationSettings settings, Runnable dropAll) {
        this.settings = settings;
        this.dropAll = dropAll;
    }

    @Override
    public int threshold() {
        return settings.threshold();
    }

    @Override
    public CompiledBlock translate(Block block) {
        long t0 = System.nanoTime();
        try {
            byte[] classFile = BlockCompiler.compile(block, everyRun(), settings.inline(), Translator.class.getClassLoader());
            if (bytes + classFile.length > settings.codeCacheKiB() * 1024L) {
                dropAll.run();
                bytes = 0;
                flushes++;
            }
            Insn[] insns = new Insn[block.length()];
            for (int i = 0; i < insns.length; i++) {
                insns[i] = block.insn(i);
            }
            MethodHandles.Lookup hidden = LOOKUP.defineHiddenClassWithClassData(classFile, insns, true);
            CompiledBlock compiled = (CompiledBlock) hidden.findConstructor(hidden.lookupClass(),
                    MethodType.methodType(void.class)).invoke();
            bytes += classFile.length;
            translated++;
            return compiled;
        } catch (Throwable e) {
            // The block stays interpreted: a translator defect must never reach the guest.
            failed++;
            lastFailure = "block at 0x" + Long.toHexString(block.rip) + ": " + e;
            return null;
        } finally {
            nanos += System.nanoTime() - t0;
        }
    }

    /** What the translator did so far on this vCPU. */
    public Stats stats() {
        return new Stats(translated, failed, nanos, bytes, flushes, lastFailure);
    }

    /**
     * @param translated  blocks translated
     * @param failed      blocks the translator could not translate (they stay interpreted)
     * @param nanos       time spent translating
     * @param bytes       class-file bytes held now
     * @param flushes     times the code cache size dropped every translation
     * @param lastFailure why the last failure happened, or null
     */
    public record Stats(long translated, long failed, long nanos, long bytes, long flushes, String lastFailure) {
    }
}
