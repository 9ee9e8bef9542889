/** Real Linux programs timed natively, under qemu-x86_64 and on Paravane's backends, in one run. */
package org.paravane.bench.linux;
