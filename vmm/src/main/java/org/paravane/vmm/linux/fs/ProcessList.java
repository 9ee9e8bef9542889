package org.paravane.vmm.linux.fs;

import java.util.List;

/**
 * The VM's processes as {@code /proc} shows them, one {@code /proc/PID} folder each (what pidof, ps and
 * start-stop-daemon scan): the kernel's process table provides it, the file system only renders it.
 */
public interface ProcessList {
    /** No processes (a file system without a kernel behind it). */
    ProcessList NONE = new ProcessList() {
        @Override
        public List<Integer> pids() {
            return List.of();
        }

        @Override
        public Entry entry(int pid) {
            return null;
        }
    };

    /** The pids of the processes that exist (zombies included), ascending. */
    List<Integer> pids();

    /** Process {@code pid} now, or null when there is none. */
    Entry entry(int pid);

    /**
     * What {@code /proc/PID} shows of one process.
     *
     * @param exePath its executable's guest path ({@code exe})
     * @param comm    its name ({@code comm}, the second field of {@code stat})
     * @param argv    its arguments ({@code cmdline}: each NUL-terminated)
     * @param state   {@code R} running or {@code Z} zombie
     */
    record Entry(int pid, int ppid, int pgid, int sid, char state, String exePath, String comm, List<String> argv) {
        /** The one line of {@code /proc/PID/stat}: the fields procps reads, zeros where the VM keeps no count. */
        String stat() {
            StringBuilder b = new StringBuilder().append(pid).append(" (").append(comm).append(") ").append(state)
                    .append(' ').append(ppid).append(' ').append(pgid).append(' ').append(sid);
            for (int field = 7; field <= 52; field++) {
                b.append(field == 20 ? " 1" : " 0");   // field 20: the number of threads
            }
            return b.append('\n').toString();
        }

        String cmdline() {
            StringBuilder b = new StringBuilder();
            for (String a : argv) {
                b.append(a).append('\0');
            }
            return b.toString();
        }
    }
}
