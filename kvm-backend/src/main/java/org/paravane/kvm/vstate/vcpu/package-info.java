/**
 * A KVM vCPU: the run loop with exit mapping, kicks and budgets, state save and restore through sync regs and the
 * state ioctls (with the async page fault MSRs), CPUID, and reading guest code through the guest's page tables.
 */
package org.paravane.kvm.vstate.vcpu;
