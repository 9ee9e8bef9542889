/**
 * The software x86-64 CPU as a {@code VirtualizationBackend}: the DS component that registers it (always usable)
 * and binds the best host-side async page fault engine for its vCPUs. The CPU itself is in the subpackages.
 */
package org.paravane.emulated;
