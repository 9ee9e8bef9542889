package org.paravane.vmm.manager;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Which ended VMs to forget: {@code paravane:vms} keeps the last {@code historySize} finished, stopped or failed VMs
 * (with their outputs and stats) and drops older ones, so a long-lived container does not list every VM it ever ran.
 */
final class VmHistory {
    private VmHistory() {
    }

    /** The ended VMs beyond the {@code keep} most recently ended ones, oldest first. */
    static List<ManagedVm> beyond(Collection<ManagedVm> vms, int keep) {
        List<ManagedVm> ended = vms.stream().filter(vm -> !vm.isActive() && vm.endedAt() != null)
                .sorted(Comparator.comparing(ManagedVm::endedAt).reversed()).toList();
        return ended.size() <= keep ? List.of() : ended.subList(keep, ended.size()).reversed();
    }
}
