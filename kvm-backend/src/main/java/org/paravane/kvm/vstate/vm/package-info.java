/**
 * A KVM VM: its file descriptor, memory slots, vCPUs, userfaultfd service and in-kernel irqchip, and the teardown
 * order that leaves no descriptor or mapping behind.
 */
package org.paravane.kvm.vstate.vm;
