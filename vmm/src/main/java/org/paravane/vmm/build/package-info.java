/**
 * Building a VM from its definition: the memory layout and data region, the backend's VM, the guest's sleeper table,
 * the guest kernel with its tasks launched. The manager decides where and whether a VM runs; this package only makes
 * one, and releases what it made when a step fails.
 */
package org.paravane.vmm.build;
