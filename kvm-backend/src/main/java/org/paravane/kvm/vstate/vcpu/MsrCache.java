package org.paravane.kvm.vstate.vcpu;

import java.util.ArrayList;
import java.util.List;
import org.paravane.api.cpu.ModelSpecificRegisters;
import org.paravane.api.cpu.Msr;

/**
 * The MSR values a vCPU is known to hold (read or written since the guest last ran), so that a state write sends
 * only what differs. After a run nothing is known: the guest may have written any of them.
 */
final class MsrCache {
    private ModelSpecificRegisters known;

    /** The known values, or null. */
    ModelSpecificRegisters known() {
        return known;
    }

    void remember(ModelSpecificRegisters values) {
        known = values;
    }

    void forget() {
        known = null;
    }

    /** The vCPU is known to hold exactly {@code target}: nothing to write. */
    boolean holds(ModelSpecificRegisters target) {
        return target.equals(known);
    }

    /** The MSRs of {@code carried}, in its order, whose value in {@code target} is not known to be held already. */
    List<Msr> changes(ModelSpecificRegisters target, List<Msr> carried) {
        List<Msr> out = new ArrayList<>();
        for (Msr m : carried) {
            if (known == null || known.get(m) != target.get(m)) {
                out.add(m);
            }
        }
        return out;
    }
}
