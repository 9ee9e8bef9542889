package org.paravane.asyncpf.table;

import org.jetbrains.kotlinx.lincheck.execution.ExecutionResult;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionResultKt;
import org.jetbrains.kotlinx.lincheck.execution.ExecutionScenario;
import org.jetbrains.kotlinx.lincheck.util.ExceptionResult;
import org.jetbrains.lincheck.datastructures.verifier.Verifier;

/**
 * Accepts any results except an operation that threw: the model-checked operations check the protocol's invariants
 * themselves and throw when one breaks. (Lincheck records a thrown exception as a result, which its epsilon verifier
 * would accept.)
 */
public final class NoFailedOperationVerifier implements Verifier {

    public NoFailedOperationVerifier(Class<?> sequentialSpecification) {
    }

    @Override
    public boolean verifyResults(ExecutionScenario scenario, ExecutionResult results) {
        return ExecutionResultKt.getAllResults(results).stream().noneMatch(r -> r instanceof ExceptionResult);
    }
}
