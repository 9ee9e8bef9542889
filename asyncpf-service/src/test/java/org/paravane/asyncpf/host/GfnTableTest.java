package org.paravane.asyncpf.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The 64-slot open-addressed gfn table: hash_32(gfn, 6), linear probing, backward-shift deletion. */
class GfnTableTest {

    @Test
    void homeIsHash32OfTheLow32BitsWithSixBits() {
        assertThat(GfnTable.home(0)).isZero();
        assertThat(GfnTable.home(1)).isEqualTo(0x61C88647 >>> 26);
        assertThat(GfnTable.home(1L << 32 | 1)).as("only the low 32 bits count").isEqualTo(GfnTable.home(1));
    }

    /** gfns whose home slot is {@code home}, found by search. */
    private static List<Long> gfnsWithHome(int home, int n) {
        List<Long> out = new ArrayList<>();
        for (long g = 1; out.size() < n; g++) {
            if (GfnTable.home(g) == home) {
                out.add(g);
            }
        }
        return out;
    }

    @Test
    void collisionsProbeLinearlyAndDeletionShiftsTheRunBack() {
        GfnTable t = new GfnTable();
        List<Long> same = gfnsWithHome(10, 3);
        same.forEach(t::add);
        assertThat(same).extracting(t::slotForTest).containsExactly(10, 11, 12);
        t.remove(same.get(0));
        // no tombstone: both later entries are still found, and the run moved back into the hole
        assertThat(t.contains(same.get(1))).isTrue();
        assertThat(t.contains(same.get(2))).isTrue();
        assertThat(same.subList(1, 3)).extracting(t::slotForTest).containsExactly(10, 11);
        assertThat(t.contains(same.get(0))).isFalse();
        assertThat(t.size()).isEqualTo(2);
    }

    @Test
    void anEntryAtItsHomeIsNotMovedIntoAnEarlierHole() {
        GfnTable t = new GfnTable();
        long a = gfnsWithHome(20, 1).get(0);
        long b = gfnsWithHome(21, 1).get(0);
        long c = gfnsWithHome(20, 2).get(1);
        t.add(a);   // 20
        t.add(b);   // 21
        t.add(c);   // probes to 22
        t.remove(a);
        assertThat(t.slotForTest(b)).as("b is at home, stays").isEqualTo(21);
        assertThat(t.slotForTest(c)).as("c moves into the hole at its home").isEqualTo(20);
    }

    @Test
    void runsWrapAroundTheEnd() {
        GfnTable t = new GfnTable();
        List<Long> last = gfnsWithHome(63, 3);
        last.forEach(t::add);
        assertThat(last).extracting(t::slotForTest).containsExactly(63, 0, 1);
        t.remove(last.get(1));
        assertThat(t.slotForTest(last.get(2))).isZero();
        assertThat(t.contains(last.get(0))).isTrue();
    }

    @Test
    void fullTableStillFindsEverythingAndRefusesMore() {
        GfnTable t = new GfnTable();
        for (long g = 0; g < 64; g++) {
            t.add(g * 4096 + 7);
        }
        for (long g = 0; g < 64; g++) {
            assertThat(t.contains(g * 4096 + 7)).isTrue();
        }
        assertThat(t.contains(5)).isFalse();
        assertThatThrownBy(() -> t.add(5)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void randomOperationsAgreeWithASet() {
        Random random = new Random(42);
        GfnTable t = new GfnTable();
        Set<Long> model = new HashSet<>();
        for (int i = 0; i < 200_000; i++) {
            long gfn = random.nextInt(300);
            if (model.contains(gfn)) {
                assertThat(t.remove(gfn)).isTrue();
                model.remove(gfn);
            } else if (model.size() < 64) {
                t.add(gfn);
                model.add(gfn);
            } else {
                assertThat(t.remove(gfn)).isFalse();
            }
            if (i % 97 == 0) {
                for (long g = 0; g < 300; g++) {
                    assertThat(t.contains(g)).as("gfn %d after %d operations", g, i).isEqualTo(model.contains(g));
                }
                assertThat(t.size()).isEqualTo(model.size());
            }
        }
        t.reset();
        assertThat(t.size()).isZero();
        assertThat(t.contains(1)).isFalse();
    }
}
