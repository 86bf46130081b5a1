package dev.tidemark.store.tck;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Skips, with a reason, each test of a {@link RequiresCapability} group whose capabilities the store does not
 * declare in {@link SyncStoreConformanceKit#capabilities()}. Evaluated per test, when the kit's instance
 * exists (before the kit opens a store for it).
 */
final class CapabilityCondition implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<RequiresCapability> required = context.getTestClass()
                .flatMap(group -> AnnotationSupport.findAnnotation(group, RequiresCapability.class));
        Optional<SyncStoreConformanceKit> kit = context.getTestInstances().flatMap(instances -> instances
                .findInstance(SyncStoreConformanceKit.class));
        if (required.isEmpty() || kit.isEmpty()) {
            return ConditionEvaluationResult.enabled("no capability needed, or not a test yet");
        }
        Set<StoreCapability> declared = kit.get().declaredCapabilities();
        List<StoreCapability> missing = Arrays.stream(required.get().value())
                .filter(capability -> !declared.contains(capability)).toList();
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("the store declares " + Arrays.toString(required.get().value()));
        }
        return ConditionEvaluationResult.disabled(missing.stream()
                .map(capability -> capability + " (" + capability.meaning() + ")")
                .collect(Collectors.joining(", ", "the store does not declare the capability ",
                        " in capabilities(); skipped, not passed")));
    }
}
