/**
 * The libc and Linux system calls the backends need, through FFM downcalls that capture errno per call: file I/O,
 * ioctl, mmap, poll, eventfd, signals aimed at single threads, POSIX timers, CPU placement. Inlined privately by the
 * bundles that use it; no JNI.
 */
package org.paravane.support.linux;
