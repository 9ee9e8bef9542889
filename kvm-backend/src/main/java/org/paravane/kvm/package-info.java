/**
 * The KVM {@code VirtualizationBackend}: the DS component that probes the host and registers the backend (usable or
 * not, with the reason), its Config Admin configuration, and the backend that creates VMs with the current settings.
 */
package org.paravane.kvm;
