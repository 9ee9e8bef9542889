/** eventfd: {@link org.paravane.vmm.linux.fs.eventfd.EventFd}'s 64-bit counter, with the semaphore mode. */
package org.paravane.vmm.linux.fs.eventfd;
