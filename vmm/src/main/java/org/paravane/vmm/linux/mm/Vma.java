package org.paravane.vmm.linux.mm;

/**
 * One virtual memory area: {@code [start, end)} with one protection, sharing and backing. {@code fileOffset} is the
 * backing offset of {@code start}; {@code name} is what {@code /proc/self/maps} shows for anonymous areas
 * ({@code [heap]}, {@code [stack]}) and is empty otherwise.
 */
public record Vma(long start, long end, int prot, boolean shared, boolean growsDown, Backing backing, long fileOffset,
                  String name) {

    public long length() {
        return end - start;
    }

    public boolean anonymous() {
        return backing instanceof Backing.Anonymous;
    }

    Vma slice(long from, long to) {
        return new Vma(from, to, prot, shared, growsDown, backing, anonymous() ? 0 : fileOffset + (from - start), name);
    }

    Vma withProt(int newProt) {
        return new Vma(start, end, newProt, shared, growsDown, backing, fileOffset, name);
    }

    Vma movedTo(long newStart, long newLength) {
        return new Vma(newStart, newStart + newLength, prot, shared, growsDown, backing, fileOffset, name);
    }

    /** Whether {@code next}, starting where this ends, would be the same area had it been mapped at once. */
    boolean mergesWith(Vma next) {
        return end == next.start && prot == next.prot && shared == next.shared && growsDown == next.growsDown
                && backing.equals(next.backing) && name.equals(next.name)
                && (anonymous() || fileOffset + length() == next.fileOffset);
    }
}
