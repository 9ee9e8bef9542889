/**
 * What this host's KVM can do, found once at start (device permissions, API version, capabilities, the kick signal,
 * userfaultfd, async page faults), and the backend's validated settings.
 */
package org.paravane.kvm.host;
