package org.paravane.vmm.kernel.abi;

/** Sections a kernel task can enter and nest, which the async page fault decision table reads. */
public enum KernelSection {
    /** {@code preempt_disable()} .. {@code preempt_enable()}: no preemption, and no sleeping in a fault. */
    PREEMPT_DISABLED,
    /** {@code rcu_read_lock()} .. {@code rcu_read_unlock()}: an RCU read-side critical section. */
    RCU_READ
}
