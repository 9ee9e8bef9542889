package org.paravane.vmm.shell;

import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;

/**
 * Runs an action once, on a platform thread of its own, when the framework has started — at once if it already has
 * (a component activated late, or after its bundle was updated). The launcher's one-shot command and its interactive
 * shell both wait for this: before it, bundles may still be starting.
 */
final class OnceStarted implements FrameworkListener, AutoCloseable {
    private final BundleContext context;
    private final String threadName;
    private final Runnable action;
    private final AtomicBoolean fired = new AtomicBoolean();

    OnceStarted(BundleContext context, String threadName, Runnable action) {
        this.context = context;
        this.threadName = threadName;
        this.action = action;
        context.addFrameworkListener(this);
        if (context.getBundle(0).getState() == Bundle.ACTIVE) {
            fire();
        }
    }

    @Override
    public void frameworkEvent(FrameworkEvent event) {
        if (event.getType() == FrameworkEvent.STARTED) {
            fire();
        }
    }

    private void fire() {
        if (fired.compareAndSet(false, true)) {
            Thread.ofPlatform().name(threadName).start(action);
        }
    }

    @Override
    public void close() {
        context.removeFrameworkListener(this);
    }
}
