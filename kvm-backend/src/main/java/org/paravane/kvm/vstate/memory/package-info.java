/**
 * How a KVM VM's guest memory is backed on the host: anonymous mappings, userfaultfd-registered lazy regions filled
 * by copy or zero page, or local files mapped copy-on-write.
 */
package org.paravane.kvm.vstate.memory;
