package org.paravane.api.backend;

/**
 * A backend could not do what was asked. The message is one line saying what went wrong and what to do about it;
 * {@link #detail()} carries the technical detail (errno, exit data, vCPU state) for logs.
 */
public class BackendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What kind of failure, so callers can react without parsing messages. */
    public enum Reason {
        /** The backend cannot run here at all (no /dev/kvm, no permission, host lacks a capability). */
        UNAVAILABLE,
        /** The request was invalid (bad VM spec, unsupported vCPU state). */
        INVALID_REQUEST,
        /** The host ran out of something (memory, file descriptors, memory slots). */
        RESOURCES,
        /** The guest did something the backend cannot continue from (internal error, failed entry). */
        GUEST_FAILURE,
        /** The VM was closed. */
        CLOSED,
        /** A fault in the backend itself. */
        INTERNAL
    }

    private final Reason reason;
    private final String detail;

    public BackendException(Reason reason, String message, String detail, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.detail = detail == null ? "" : detail;
    }

    public BackendException(Reason reason, String message) {
        this(reason, message, null, null);
    }

    public Reason reason() {
        return reason;
    }

    /** Technical detail for logs (may be empty). */
    public String detail() {
        return detail;
    }
}
