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

/**
 * Translates one vCPU's hot blocks, each with its hot successors ({@link Region}), into hidden classes. Nothing static refers to them: a class lives as long as its
 * block and this translator (one per vCPU), so a VM's classes are unloaded with it. When the class files of this vCPU exceed the code cache size, every translation is dropped at once
 * ({@code dropAll}, which empties the block cache) and hot blocks are translated again.
 */
public final class Translator implements Translation {
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    private final TranslationSettings settings;
    private final Runnable dropAll;
    private long bytes;
    private long translated, failed, nanos, flushes, regions, regionBlocks;
    private String lastFailure;
    /**
     * Translations by the decoded instructions (addresses included) of every block of their region: a block decoded
     * again from the same bytes, whose successors are unchanged too, takes its old class. Dropped with the rest when
     * the code cache is full.
     */
    private final Map<List<List<Decoded>>, CompiledBlock> byCode = new HashMap<>();
    /** By the entry block of each of {@link #byCode}'s regions: where its blocks start. */
    private final Map<List<Decoded>, long[]> entries = new HashMap<>();
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
    public boolean translatedBefore(Block block) {
        return !entries.isEmpty() && entries.containsKey(Region.decoded(block));
    }

    @Override
    public CompiledBlock translate(Block block) {
        long t0 = System.nanoTime();
        try {
            CompiledBlock old = earlier(block);
            Region asked = old != null ? null : Region.of(block, settings.inline());
            old = old != null ? old : byCode.get(asked.key());
            if (old != null) {
                reused++;
                return old;
            }
            RegionClass.Compiled compiled = RegionClass.compile(asked, everyRun(), settings,
                    Translator.class.getClassLoader());
            byte[] classFile = compiled.classFile();
            if (bytes + classFile.length > settings.codeCacheKiB() * 1024L) {
                dropAll.run();
                byCode.clear();
                entries.clear();
                bytes = 0;
                flushes++;
            }
            Region region = compiled.region();
            MethodHandles.Lookup hidden = LOOKUP.defineHiddenClassWithClassData(classFile, region.insns(), true);
            CompiledBlock translation = (CompiledBlock) hidden.findConstructor(hidden.lookupClass(),
                    MethodType.methodType(void.class)).invoke();
            bytes += classFile.length;
            translated++;
            if (region.size() > 1) {
                regions++;
                regionBlocks += region.size();
            }
            byCode.put(asked.key(), translation);             // its first blocks when it had to shrink
            byCode.put(region.key(), translation);
            entries.put(Region.decoded(block), region.rips());
            return translation;
        } catch (Throwable e) {
            // The block stays interpreted: a translator defect must never reach the guest.
            failed++;
            lastFailure = "block at 0x" + Long.toHexString(block.rip) + ": " + e;
            return null;
        } finally {
            nanos += System.nanoTime() - t0;
        }
    }

    /** The translation of {@code block}'s earlier region when its blocks are all unchanged, else null. */
    private CompiledBlock earlier(Block block) {
        long[] rips = entries.isEmpty() ? null : entries.get(Region.decoded(block));
        Region region = rips == null ? null : Region.of(block, rips);
        return region == null ? null : byCode.get(region.key());
    }

    /** What the translator did so far on this vCPU. */
    public Stats stats() {
        return new Stats(translated, reused, failed, nanos, bytes, flushes, regions, regionBlocks, lastFailure);
    }

    /**
     * @param translated  blocks translated
     * @param reused      blocks decoded again that took their earlier translation (their whole region unchanged)
     * @param failed      blocks the translator could not translate (they stay interpreted)
     * @param nanos       time spent translating
     * @param bytes       class-file bytes held now
     * @param flushes     times the code cache size dropped every translation
     * @param regions     translations of more than one block (a region: its hot successors in the same method)
     * @param regionBlocks blocks in those regions (divided by {@code regions}: blocks per region)
     * @param lastFailure why the last failure happened, or null
     */
    public record Stats(long translated, long reused, long failed, long nanos, long bytes, long flushes, long regions,
                        long regionBlocks, String lastFailure) {
    }
}
