/** VM lifecycle over whatever backends are registered: creation, configuration, hot swap, snapshots. */
package org.paravane.vmm.manager;
