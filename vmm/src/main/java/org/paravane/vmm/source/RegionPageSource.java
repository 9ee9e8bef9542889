package org.paravane.vmm.source;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.paravane.api.memory.PageSource;
import org.paravane.api.memory.PageSourceException;

/** A VM's source: each lazy region's own source, chosen by guest-physical address. */
public final class RegionPageSource implements PageSource {

    /** {@code source} serves guest-physical {@code [base, base + size)}. */
    public record Range(long base, long size, PageSource source) {
        boolean contains(long gpa) {
            return gpa >= base && gpa < base + size;
        }
    }

    private final List<Range> ranges;

    public RegionPageSource(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    @Override
    public void read(long guestAddress, MemorySegment destination) throws PageSourceException {
        long done = 0;
        while (done < destination.byteSize()) {   // a chunk may cross from one range into the next
            long at = guestAddress + done;
            Range r = range(at);
            long n = Math.min(destination.byteSize() - done, r.base() + r.size() - at);
            r.source().read(at, destination.asSlice(done, n));
            done += n;
        }
    }

    private Range range(long gpa) throws PageSourceException {
        for (Range r : ranges) {
            if (r.contains(gpa)) {
                return r;
            }
        }
        throw new PageSourceException(gpa, "no page source covers this address");
    }

    @Override
    public boolean isZero(long guestAddress) {
        for (Range r : ranges) {
            if (r.contains(guestAddress)) {
                return r.source().isZero(guestAddress);
            }
        }
        return false;
    }

    @Override
    public String describe() {
        return ranges.size() == 1 ? ranges.getFirst().source().describe()
                : ranges.stream().map(r -> r.source().describe()).toList().toString();
    }
}
