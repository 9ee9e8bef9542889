package org.paravane.emulated.cpu.translate;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.paravane.emulated.cpu.Block;
import org.paravane.emulated.cpu.CompiledBlock;
import org.paravane.emulated.cpu.Translation;
import org.paravane.emulated.cpu.decode.Decoded;
import org.paravane.emulated.cpu.exec.Insn;

/**
 * Translates one vCPU's hot blocks into hidden classes. Nothing static refers to them: a class lives as long as its
 * block and this translator (one per vCPU), so a VM's classes are unloaded with it. When the class files of this vCPU exceed the code cache size, every translation is dropped at once
 * ({@code dropAll}, which empties the block cache) and hot blocks are translated again.
 */
public final class Translator implements Translation {
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    private final TranslationSettings settings;
    private final Runnable dropAll;
    private long bytes;
    private long translated, failed, nanos, flushes;
    private String lastFailure;
    /**
     * Translations by their decoded instructions (addresses included): a block decoded again from the same bytes
     * takes its old class. Dropped with the rest when the code cache is full.
     */
    private final Map<List<Decoded>, CompiledBlock> byCode = new HashMap<>();
    private long reused;

    public Translator(TranslationSettings settings, Runnable dropAll) {
        this.settings = settings;
        this.dropAll = dropAll;
    }

    @Override
    public int threshold() {
        return settings.threshold();
    }

    @Override
    public CompiledBlock reuse(Block block) {
        if (byCode.isEmpty()) {
            return null;
        }
        CompiledBlock c = byCode.get(key(block));
        if (c != null) {
            reused++;
        }
        return c;
    }

    private static List<Decoded> key(Block block) {
        Decoded[] d = new Decoded[block.length()];
        for (int i = 0; i < d.length; i++) {
            d[i] = block.insn(i).decoded;
        }
        return List.of(d);
    }

    @Override
    public CompiledBlock translate(Block block) {
        long t0 = System.nanoTime();
        try {
            byte[] classFile = BlockCompiler.compile(block, everyRun(), settings, Translator.class.getClassLoader());
            if (bytes + classFile.length > settings.codeCacheKiB() * 1024L) {
                dropAll.run();
                byCode.clear();
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
            byCode.put(key(block), compiled);
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
        return new Stats(translated, reused, failed, nanos, bytes, flushes, lastFailure);
    }

    /**
     * @param translated  blocks translated
     * @param reused      blocks decoded again that took their earlier translation
     * @param failed      blocks the translator could not translate (they stay interpreted)
     * @param nanos       time spent translating
     * @param bytes       class-file bytes held now
     * @param flushes     times the code cache size dropped every translation
     * @param lastFailure why the last failure happened, or null
     */
    public record Stats(long translated, long reused, long failed, long nanos, long bytes, long flushes, String lastFailure) {
    }
}
