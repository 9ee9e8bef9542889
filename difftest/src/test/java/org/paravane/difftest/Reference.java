package org.paravane.difftest;

import java.util.List;

/** A CPU that runs test cases: the host processor, a backend of this project. */
public interface Reference extends AutoCloseable {

    String name();

    /** Runs each case from its initial state; per case, the records up to and including the final one. */
    List<List<CpuRecord>> run(List<TestCase> cases);

    /**
     * Whether this reference reporting exception {@code reported} stands for the architectural {@code architectural}.
     * Exact for a CPU whose vectors are seen directly; a reference that sees exceptions through a host kernel may
     * report some of them under another vector, and says which here.
     */
    default boolean reportsAs(int architectural, int reported) {
        return architectural == reported;
    }

    @Override
    void close();
}
