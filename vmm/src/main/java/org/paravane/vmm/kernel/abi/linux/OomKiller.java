package org.paravane.vmm.kernel.abi.linux;

import java.util.Comparator;
import org.paravane.vmm.linux.signal.SigInfo;
import org.paravane.vmm.linux.signal.Signal;

/**
 * Linux's OOM killer, reduced to its rule of thumb: when a page fault finds no RAM, the live process holding the most
 * pages is sent SIGKILL and the fault is tried again once its memory came back; the faulting process itself goes
 * only when it is that process. A fork bomb whose children each touch memory thus loses a child, not the parent that
 * needed one page of its own code. Each victim is named once in the VM's log.
 */
final class OomKiller {
    private OomKiller() {
    }

    /**
     * The VM's RAM ran out under {@code faulting}'s fault ({@code why}). True when another process is dying to free
     * memory (the fault should be retried); false when {@code faulting} is the one to kill.
     */
    static boolean killLargestFor(LinuxProcess faulting, String why) {
        LinuxHost host = faulting.host;
        LinuxProcess victim;
        synchronized (host.processes()) {
            var live = host.processes().all().stream().filter(p -> p.state() == LinuxProcess.State.LIVE).toList();
            if (live.stream().anyMatch(p -> p.oomVictim && p != faulting)) {
                return true;   // one is dying already: its pages come back when it ends
            }
            victim = live.stream().max(Comparator.comparingInt(OomKiller::size)).orElse(faulting);
            if (victim == faulting || size(victim) <= size(faulting)) {
                return false;
            }
            victim.oomVictim = true;
        }
        host.killedOutOfMemory(victim.toString(), "the largest process (" + size(victim) / 256 + " MiB) when "
                + faulting + "'s fault found no RAM, " + why);
        victim.signals.post(SigInfo.sent(Signal.SIGKILL, SigInfo.SI_KERNEL, 0, 0));
        return true;
    }

    private static int size(LinuxProcess p) {
        return p.memory().space().ownedPages();
    }
}
