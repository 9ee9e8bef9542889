package org.paravane.asyncpf.host;

import static org.paravane.api.asyncpf.AsyncPfAbi.TOKEN_VCPU_BITS;
import static org.paravane.api.asyncpf.AsyncPfAbi.WAKE_ALL_TOKEN;

import java.util.function.IntPredicate;

/**
 * One vCPU's async-PF tokens ({@code alloc_apf_token}): {@code (id++ << 12) | vcpu}, plus C6 — never 0 (the id skips
 * 0 when it wraps), never the wake-all token, never one still outstanding after a wrap. Not thread safe: the owner's
 * lock guards it.
 */
final class Tokens {
    private final int vcpuId;
    private int nextId;

    Tokens(int vcpuId) {
        if (vcpuId < 0 || vcpuId >= 1 << TOKEN_VCPU_BITS) {
            throw new IllegalArgumentException("vCPU id " + vcpuId + " does not fit the " + TOKEN_VCPU_BITS
                    + " token bits async page faults give it (0.." + ((1 << TOKEN_VCPU_BITS) - 1) + ")");
        }
        this.vcpuId = vcpuId;
    }

    /** The next token that {@code outstanding} does not hold. */
    int next(IntPredicate outstanding) {
        while (true) {
            if (nextId << TOKEN_VCPU_BITS == 0) {
                nextId = 1;
            }
            int token = (nextId++ << TOKEN_VCPU_BITS) | vcpuId;
            if (token != WAKE_ALL_TOKEN && !outstanding.test(token)) {
                return token;
            }
        }
    }

    /** For tests: the id of the next token (to reach a wrap without issuing a million tokens). */
    void setNextId(int id) {
        nextId = id;
    }
}
