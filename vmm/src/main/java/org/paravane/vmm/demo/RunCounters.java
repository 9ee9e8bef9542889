package org.paravane.vmm.demo;

import java.util.List;
import org.paravane.api.asyncpf.SleeperTable;
import org.paravane.api.backend.VcpuStats;
import org.paravane.api.memory.MemoryStats;
import org.paravane.vmm.kernel.GuestKernel;
import org.paravane.vmm.kernel.GuestVcpuStats;
import org.paravane.vmm.kernel.Task;
import org.paravane.vmm.manager.ManagedVm;

/**
 * The cumulative counters of one experiment VM at one instant. A run's figures are the difference of two snapshots
 * (the end of its warm-up and its end), so the VM's own start and warm-up do not count.
 *
 * @param lostNanos vCPU time spent idle, halted or waiting for a page, summed over the vCPUs
 */
record RunCounters(long nanos, long work, long scanned, long faulted, long asyncFaults, long scheduleWaits,
                   long haltWaits, long dummies, long lostNanos) {

    static RunCounters of(ManagedVm vm, Workload workload) {
        long at = System.nanoTime();
        GuestKernel kernel = vm.kernel();
        MemoryStats memory = vm.memoryStats();
        SleeperTable.Stats table = kernel.sleeperStats();
        long lost = 0;
        for (GuestVcpuStats s : kernel.vcpuStats()) {
            lost += s.idleNanos() + s.haltWaitNanos();
        }
        List<VcpuStats> backend = vm.vcpuStats();
        for (VcpuStats s : backend) {
            lost += s.pageWaitNanos();
        }
        return new RunCounters(at, workload.work(kernel), workload.scanned(kernel), memory == null ? 0 : memory.faults(),
                kernel.tasks().stream().mapToLong(Task::asyncFaults).sum(), table == null ? 0 : table.scheduleWaits(),
                table == null ? 0 : table.haltWaits(), table == null ? 0 : table.dummiesCreated(), lost);
    }

    /** What happened between {@code earlier} and this snapshot. */
    RunCounters since(RunCounters earlier) {
        return new RunCounters(nanos - earlier.nanos, work - earlier.work, scanned - earlier.scanned,
                faulted - earlier.faulted, asyncFaults - earlier.asyncFaults, scheduleWaits - earlier.scheduleWaits,
                haltWaits - earlier.haltWaits, dummies - earlier.dummies, lostNanos - earlier.lostNanos);
    }
}
