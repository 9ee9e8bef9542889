/**
 * epoll: {@link org.paravane.vmm.linux.fs.poll.Epoll}'s interest list with level-triggered, edge-triggered and
 * one-shot reports; each watched file's wait queue wakes its entry, as Linux's ep_poll_callback does.
 */
package org.paravane.vmm.linux.fs.poll;
