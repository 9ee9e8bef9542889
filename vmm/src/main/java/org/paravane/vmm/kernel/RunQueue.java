package org.paravane.vmm.kernel;

import java.util.ArrayDeque;

/** One vCPU's runnable tasks, first in first out. */
final class RunQueue {
    private final ArrayDeque<Task> tasks = new ArrayDeque<>();

    synchronized void add(Task t) {
        tasks.addLast(t);
    }

    synchronized void addFirst(Task t) {
        tasks.addFirst(t);
    }

    synchronized Task poll() {
        return tasks.pollFirst();
    }

    synchronized boolean isEmpty() {
        return tasks.isEmpty();
    }

    synchronized int size() {
        return tasks.size();
    }
}
