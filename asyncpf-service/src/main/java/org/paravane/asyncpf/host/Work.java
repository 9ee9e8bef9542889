package org.paravane.asyncpf.host;

import java.util.concurrent.Future;
import org.paravane.api.asyncpf.AsyncPfAbi;

/**
 * {@code struct kvm_async_pf}: one fetch of a page in the background, or a wake-all. Mutable fields are guarded by the
 * owning {@link VcpuAsyncPf}'s lock, except {@link #cancelled}, which a fetch thread may read early without it.
 */
final class Work {

    /** How the work came to be. */
    enum Kind {
        /** An async fault: counted in {@code queued}, its gfn in the gfn table, delivered through {@code done}. */
        ASYNC,
        /** A fault the vCPU thread waits for itself beyond the limit or with interrupts blocked: only a fetch. */
        SYNC,
        /** {@code kvm_async_pf_wakeup_all}: counted in {@code queued}, goes straight to {@code done}. */
        WAKE_ALL
    }

    final Kind kind;
    final int token;
    final long gfn;
    final long guestAddress;

    /** "Page not present" reached the guest: only then may its "page ready" (C4). */
    boolean notPresentInjected;
    /** The vCPU thread waits for this work in the host table; completion wakes it. */
    boolean hostWaiting;
    boolean completed;
    volatile boolean cancelled;
    Future<?> fetch;

    private Work(Kind kind, int token, long guestAddress) {
        this.kind = kind;
        this.token = token;
        this.guestAddress = guestAddress;
        this.gfn = kind == Kind.WAKE_ALL ? -1 : guestAddress >>> 12;
    }

    static Work async(int token, long guestAddress) {
        return new Work(Kind.ASYNC, token, guestAddress);
    }

    static Work sync(int token, long guestAddress) {
        return new Work(Kind.SYNC, token, guestAddress);
    }

    static Work wakeAll() {
        return new Work(Kind.WAKE_ALL, AsyncPfAbi.WAKE_ALL_TOKEN, -1);
    }

    @Override
    public String toString() {
        return kind == Kind.WAKE_ALL ? "wake-all"
                : kind + " " + AsyncPfAbi.tokenString(token) + " gfn 0x" + Long.toHexString(gfn)
                        + (completed ? " done" : "") + (cancelled ? " cancelled" : "");
    }
}
