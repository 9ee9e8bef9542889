package org.paravane.vmm.shell;

/**
 * What a one-shot {@code ./paravane run} of a Linux program returns: the launcher exits with {@code status} and
 * prints nothing of its own, so the program's output stays the only output.
 */
record ExitStatus(int status) {
}
