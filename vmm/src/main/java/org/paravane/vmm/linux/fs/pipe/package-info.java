/**
 * Pipes: {@link org.paravane.vmm.linux.fs.pipe.Pipe}'s page-slot ring between a read end and a write end, each the
 * contents of an open file description, with Linux's PIPE_BUF atomicity, end of file and broken-pipe rules.
 */
package org.paravane.vmm.linux.fs.pipe;
