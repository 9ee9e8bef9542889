/**
 * The VM manager: the DS component that runs VMs on whatever backends are registered ({@code VmManager}), each VM's
 * life as an explicit state machine with the one lock order ({@code ManagedVm}), placement — picking a backend, moving
 * off one that leaves, migrating, parking and resuming ({@code Placement}) — and the Config Admin settings.
 */
package org.paravane.vmm.manager;
