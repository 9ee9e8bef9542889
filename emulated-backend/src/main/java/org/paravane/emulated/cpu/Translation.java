package org.paravane.emulated.cpu;

/**
 * What turns a hot {@link Block} into a {@link CompiledBlock}: the hotness threshold and the translator. One per
 * vCPU's {@link CodeCache}; null there when translation is off.
 */
public interface Translation {
    /** Executions of a block before it is translated (0: at its first execution). */
    int threshold();

    /**
     * Whether blocks also run translated for fewer instructions than they hold (single steps, budgets): threshold 0,
     * where the translation is checked for every instruction as the interpreter is.
     */
    default boolean everyRun() {
        return threshold() == 0;
    }

    /**
     * Whether a translation was made earlier from a block of the same instructions at the same addresses (the block
     * was decoded again after the cache was cleared, say by a state load): it is then translated at its first run,
     * where {@link #translate} finds the earlier translation when its whole region is unchanged.
     */
    default boolean translatedBefore(Block block) {
        return false;
    }

    /** The block as bytecode, or null when it stays interpreted. */
    CompiledBlock translate(Block block);
}
