/**
 * JMH benchmarks of the KVM backend: exits per second against a bare FFM {@code KVM_RUN} loop, userfaultfd-served
 * lazy memory, and VM creation to first exit; with the guests and specs they share.
 */
package org.paravane.bench.kvm;
