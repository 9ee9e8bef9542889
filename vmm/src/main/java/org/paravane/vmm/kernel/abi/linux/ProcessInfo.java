package org.paravane.vmm.kernel.abi.linux;

/**
 * One Linux process as {@code paravane:stats} shows it: ids, state ("running" or "zombie"), name, how many threads
 * it has, and its depth in the VM's process tree (0 for a root).
 */
public record ProcessInfo(int pid, int ppid, int pgid, int sid, String state, String name, int threads, int depth) {
}
