/** Gogo commands under scope {@code paravane}. */
package org.paravane.vmm.shell;
