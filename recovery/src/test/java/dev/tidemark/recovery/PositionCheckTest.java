package dev.tidemark.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.protocol.VerifyStatus;
import dev.tidemark.recovery.Verdict.Reason;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PositionCheckTest {

    private static final ServerHistory SERVER = new ServerHistory("h1", Lsn.parse("0/500"), Lsn.parse("0/100"));
    private static final ChecksumLookup CHECKSUMS = lsn -> lsn.equals(Lsn.parse("0/300")) ? OptionalLong.of(42) : OptionalLong.empty();

    private static Verdict check(String historyId, String lsn, Long checksum) {
        return PositionCheck.check(new ClientPosition(historyId, Lsn.parse(lsn),
                Optional.ofNullable(checksum).map(OptionalLong::of).orElse(OptionalLong.empty())), SERVER, CHECKSUMS);
    }

    @Test
    @DisplayName("a client at the capture position is up to date; one behind it gets the changes that follow")
    void continues() {
        assertThat(check("h1", "0/500", null).status()).isEqualTo(VerifyStatus.UP_TO_DATE);
        assertThat(check("h1", "0/300", 42L).status()).isEqualTo(VerifyStatus.CHANGES_FOLLOW);
        assertThat(check("h1", "0/100", null).status()).isEqualTo(VerifyStatus.CHANGES_FOLLOW);
    }

    @Test
    @DisplayName("another history, a position ahead of the server, or one older than the retained history means resync")
    void resyncs() {
        assertThat(check("h0", "0/300", null).reason()).isEqualTo(Reason.HISTORY_CHANGED);
        assertThat(check(null, "0/300", null).reason()).isEqualTo(Reason.HISTORY_CHANGED);
        assertThat(check("h1", "0/501", null).reason()).isEqualTo(Reason.AHEAD_OF_SERVER);
        assertThat(check("h1", "0/FF", null).reason()).isEqualTo(Reason.BEHIND_RETENTION);
        assertThat(check("h1", "0/FF", null).resyncRequired()).isTrue();
    }

    @Test
    @DisplayName("a new store after the history was trimmed gets a snapshot; before any trim it streams from the start")
    void newStore() {
        assertThat(check(null, "0/0", null).reason()).isEqualTo(Reason.BEHIND_RETENTION);
        ServerHistory untrimmed = new ServerHistory("h1", Lsn.parse("0/500"), Lsn.ZERO);
        assertThat(PositionCheck.check(ClientPosition.of(null, Lsn.ZERO), untrimmed, CHECKSUMS).status())
                .isEqualTo(VerifyStatus.CHANGES_FOLLOW);
    }

    @Test
    @DisplayName("a checksum that disagrees with the server's means something was skipped or applied twice")
    void checksum() {
        Verdict verdict = check("h1", "0/300", 41L);
        assertThat(verdict.reason()).isEqualTo(Reason.CHECKSUM_MISMATCH);
        assertThat(verdict.detail()).contains("skipped or applied twice");
        assertThat(check("h1", "0/400", 41L).status()).as("no server checksum to compare").isEqualTo(VerifyStatus.CHANGES_FOLLOW);
    }
}
