package org.paravane.difftest;

import java.util.List;

/** A CPU that runs test cases: the host processor, a backend of this project. */
public interface Reference extends AutoCloseable {

    String name();

    /** Runs each case from its initial state; per case, the records up to and including the final one. */
    List<List<CpuRecord>> run(List<TestCase> cases);

    @Override
    void close();
}
