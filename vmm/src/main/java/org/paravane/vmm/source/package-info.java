/** Where absent guest pages come from: files, snapshots, synthetic content, and a latency/bandwidth shaper. */
package org.paravane.vmm.source;
