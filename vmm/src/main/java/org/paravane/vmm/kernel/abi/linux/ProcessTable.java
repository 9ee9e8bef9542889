package org.paravane.vmm.kernel.abi.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Linux processes of one VM by pid, zombies included until they are reaped. The first process added is the VM's
 * init: orphans are re-parented to it, and when it ends every other process of the VM ends too. The table's monitor
 * also guards every process's parent, children, process group and session, so a fork, an exit and a wait see one
 * consistent tree.
 */
final class ProcessTable {
    private final Map<Integer, LinuxProcess> byPid = new TreeMap<>();
    private LinuxProcess init;

    /** Adds a new process; the first one becomes init. */
    synchronized void add(LinuxProcess p) {
        if (byPid.putIfAbsent(p.pid, p) != null) {
            throw new IllegalStateException("pid " + p.pid + " is in use");
        }
        if (init == null) {
            init = p;
        }
    }

    /** The VM's first process, or null before one starts. */
    synchronized LinuxProcess init() {
        return init;
    }

    /** The process {@code pid}, zombie or not, or null. */
    synchronized LinuxProcess get(int pid) {
        return byPid.get(pid);
    }

    /** A reaped process leaves the table; its pid may be reused. */
    synchronized void remove(LinuxProcess p) {
        byPid.remove(p.pid, p);
    }

    /** Every process in pid order. */
    synchronized List<LinuxProcess> all() {
        return new ArrayList<>(byPid.values());
    }

    /** How many processes the table holds, zombies included (they count against the limits, as on Linux). */
    synchronized int size() {
        return byPid.size();
    }
}
