package org.paravane.emulated.cpu.exec;

import java.security.SecureRandom;
import org.paravane.emulated.cpu.Cpu;
import org.paravane.emulated.cpu.decode.Decoded;

/**
 * RDRAND and RDSEED: a random value from the host's cryptographically secure generator (the kernel's, through
 * {@link SecureRandom}), CF=1 (never "no value yet": the source does not run dry), OF SF ZF AF PF cleared. RDSEED
 * draws from the same source: it is seeded by the kernel's entropy pool, which is what RDSEED promises over RDRAND.
 */
final class RandomOps {
    private RandomOps() {
    }

    /** Thread safe; private to this bundle. */
    private static final SecureRandom SOURCE = new SecureRandom();

    static final class Rdrand extends Insn {
        private final int size, dst;

        Rdrand(Decoded d, int size, int dst) {
            super(d);
            this.size = size;
            this.dst = dst;
        }

        @Override
        public void exec(Cpu c) {
            c.setReg(size, dst, SOURCE.nextLong());
            c.setArith(Cpu.CF);
        }
    }
}
