/**
 * The deploy folder guard: a FileInstall artifact installer that claims only jars that are not bundles and logs what
 * is wrong with each, which FileInstall would otherwise skip silently. Optional: without FileInstall it never loads.
 */
package org.paravane.vmm.deploy;
