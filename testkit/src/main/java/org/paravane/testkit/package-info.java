/**
 * Fixtures the tests of several modules share: guest code assembled by hand or with GNU as, and a page source the
 * test holds back page by page. A test-scoped dependency only; never a bundle, never in the distribution.
 */
package org.paravane.testkit;
