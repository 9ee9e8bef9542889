/**
 * Guest-physical memory whose pages may be absent on the host, and the {@link org.paravane.api.memory.PageSource}s
 * absent pages come from (a snapshot file, a slow or remote store).
 */
@Export
@Version("1.0.0")
package org.paravane.api.memory;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
