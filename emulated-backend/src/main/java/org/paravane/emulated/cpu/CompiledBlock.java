package org.paravane.emulated.cpu;

/**
 * A {@link Block} translated to JVM bytecode. {@link #run} behaves exactly as {@code Block.execute(c, max)}
 * (a translation made for every run stops after {@code max} instructions; the others are only run whole): RIP, registers, flags and memory as after its instructions, the same
 * early stop, and on a signal RIP at the instruction that raised it with {@link Cpu#completedBeforeSignal} and
 * {@link Cpu#signalled} set.
 */
public interface CompiledBlock {
    int run(Cpu c, int max);
}
