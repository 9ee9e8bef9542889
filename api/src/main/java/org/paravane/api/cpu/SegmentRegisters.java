package org.paravane.api.cpu;

import java.util.Objects;

/** The six segment registers plus the task register and the LDT register. */
public record SegmentRegisters(Segment cs, Segment ds, Segment es, Segment fs, Segment gs, Segment ss,
                               Segment tr, Segment ldt) {

    public SegmentRegisters {
        Objects.requireNonNull(cs, "cs");
        Objects.requireNonNull(ds, "ds");
        Objects.requireNonNull(es, "es");
        Objects.requireNonNull(fs, "fs");
        Objects.requireNonNull(gs, "gs");
        Objects.requireNonNull(ss, "ss");
        Objects.requireNonNull(tr, "tr");
        Objects.requireNonNull(ldt, "ldt");
    }

    /** The current privilege level: CS.DPL in long mode. */
    public int cpl() {
        return cs.dpl();
    }

    public SegmentRegisters withCodeAndStack(Segment newCs, Segment newSs) {
        return new SegmentRegisters(newCs, ds, es, fs, gs, newSs, tr, ldt);
    }

    public SegmentRegisters withFs(Segment newFs) {
        return new SegmentRegisters(cs, ds, es, newFs, gs, ss, tr, ldt);
    }

    public SegmentRegisters withGs(Segment newGs) {
        return new SegmentRegisters(cs, ds, es, fs, newGs, ss, tr, ldt);
    }
}
