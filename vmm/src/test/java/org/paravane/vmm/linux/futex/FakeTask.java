package org.paravane.vmm.linux.futex;

import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.paravane.vmm.kernel.abi.SyscallTask;
import org.paravane.vmm.kernel.wait.Waker;

/**
 * A calling task for futex tests: its own clock, and a waker that counts its wakes. {@link #view} is the task as a
 * system call sees it; what futexes do not use answers UnsupportedOperationException.
 */
final class FakeTask {
    final AtomicInteger wakes = new AtomicInteger();
    private final Waker waker = wakes::incrementAndGet;
    private final int id;
    volatile long now;
    final SyscallTask view;

    FakeTask(int id) {
        this.id = id;
        this.view = (SyscallTask) Proxy.newProxyInstance(SyscallTask.class.getClassLoader(),
                new Class<?>[] {SyscallTask.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "waker" -> waker;
                    case "nanosSinceStart" -> now;
                    case "id" -> this.id;
                    case "name" -> "task " + this.id;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "task " + this.id;
                    default -> throw new UnsupportedOperationException(method.getName() + " in a futex test");
                });
    }
}
