package dev.tidemark.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Lsn;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InterruptedApplyTest {

    @Test
    void aMarkerThatDiffersFromTheCommittedLsnIsAnInterruptedApply() {
        Optional<InterruptedApply> found = InterruptedApply.detect(Lsn.parse("0/10"), Optional.of(Lsn.parse("0/20")));
        assertThat(found).contains(new InterruptedApply(Lsn.parse("0/10"), Lsn.parse("0/20")));
        assertThat(found.get().describe()).contains("0/20").contains("0/10").contains("sync_verify");
    }

    @Test
    void aCleanShutdownLeavesNothingToVerify() {
        assertThat(InterruptedApply.detect(Lsn.parse("0/10"), Optional.empty())).isEmpty();
        assertThat(InterruptedApply.detect(Lsn.parse("0/10"), Optional.of(Lsn.parse("0/10")))).isEmpty();
    }
}
