package dev.tidemark.protocol;

import java.util.List;

/**
 * {@code source_verify_result}, server → client: how a {@link SourceVerify} ended. For {@code repaired}, the
 * repair batch (a {@code changes} with a {@code snapshot} object) was sent just before, so a client that
 * handles messages in order has applied it when it reads this.
 *
 * @param status agree, repaired or failed
 * @param lsn the position the verify compared at ({@code 0/0} when it failed before one was chosen)
 * @param repaired for {@code repaired}, the repaired entities per type; empty otherwise
 * @param message for {@code failed}, why and what to do; otherwise {@code null} or a note
 */
public record SourceVerifyResult(SourceVerifyStatus status, Lsn lsn, List<RepairedEntities> repaired, String message)
        implements SourceAuditMessage {

    public static final String TYPE = "source_verify_result";

    public SourceVerifyResult {
        Validation.required(status, "status");
        Validation.required(lsn, "lsn");
        repaired = List.copyOf(repaired == null ? List.of() : repaired);
        Validation.check((status == SourceVerifyStatus.REPAIRED) == !repaired.isEmpty(),
                "repaired entities come with status repaired, and only with it");
        Validation.check(status != SourceVerifyStatus.FAILED || message != null, "a failed verify carries a message");
    }

    /** A verify that failed: nothing was changed. */
    public static SourceVerifyResult failed(Lsn lsn, String message) {
        return new SourceVerifyResult(SourceVerifyStatus.FAILED, lsn, List.of(), message);
    }

    /** How many entities were repaired. */
    public int repairedCount() {
        return repaired.stream().mapToInt(r -> r.entityIds().size()).sum();
    }

    @Override
    public String type() {
        return TYPE;
    }
}
