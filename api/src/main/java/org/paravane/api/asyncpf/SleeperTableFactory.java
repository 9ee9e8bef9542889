package org.paravane.api.asyncpf;

import org.osgi.annotation.versioning.ProviderType;

/** Creates the per-guest {@link SleeperTable}s: the service that owns the one enqueue path both waiters share. */
@ProviderType
public interface SleeperTableFactory {

    /** A new, empty table for the guest named {@code owner} (used in messages). */
    SleeperTable create(String owner);
}
