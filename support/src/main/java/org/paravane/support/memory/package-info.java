/**
 * Lazily filled guest memory shared by both backends: one host mapping per region with claimed and present page
 * bitmaps, so every page is filled exactly once, and the backend hook that fills a page (a copy for the software CPU,
 * userfaultfd for KVM). Inlined privately by the bundles that use it.
 */
package org.paravane.support.memory;
