package org.paravane.kvm.uffd;

import java.util.List;
import org.paravane.support.memory.PagedGuestMemory;

/** Host addresses of guest memory back to guest-physical ones: userfaultfd reports the host address of a fault. */
final class HostToGuest {
    private final long[] hostStarts;
    private final long[] hostEnds;
    private final long[] guestStarts;

    HostToGuest(List<PagedGuestMemory.HostRegion> regions) {
        hostStarts = new long[regions.size()];
        hostEnds = new long[regions.size()];
        guestStarts = new long[regions.size()];
        for (int i = 0; i < regions.size(); i++) {
            hostStarts[i] = regions.get(i).host().address();
            hostEnds[i] = hostStarts[i] + regions.get(i).region().size();
            guestStarts[i] = regions.get(i).region().guestAddress();
        }
    }

    /** The guest-physical address of {@code hostAddress}, or -1 when it is outside guest memory. */
    long guestAddress(long hostAddress) {
        for (int i = 0; i < hostStarts.length; i++) {
            if (hostAddress >= hostStarts[i] && hostAddress < hostEnds[i]) {
                return guestStarts[i] + (hostAddress - hostStarts[i]);
            }
        }
        return -1;
    }
}
