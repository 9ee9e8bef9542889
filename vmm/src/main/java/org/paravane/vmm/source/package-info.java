/**
 * Where absent guest pages come from: files, snapshot files (see {@code org.paravane.vmm.persist}), synthetic content,
 * and a latency/bandwidth shaper.
 */
package org.paravane.vmm.source;
