package dev.tidemark.server.capture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tidemark.protocol.Lsn;
import dev.tidemark.server.capture.HistoryDecision.Action;
import dev.tidemark.server.spi.HistoryState;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Deciding whether a history continues")
class HistoryDecisionTest {

    private static final SourceIdentity SOURCE = new SourceIdentity("7000", 1, Lsn.parse("0/9000"), "db");
    private static final String HISTORY = new HistoryIdentity("7000", 1, "slot", Lsn.parse("0/100")).historyId();
    private static final Optional<HistoryState> LOG = Optional.of(new HistoryState(HISTORY, Lsn.parse("0/500"), Lsn.ZERO));

    private static Optional<SlotInfo> slot(String confirmed, String walStatus) {
        return Optional.of(new SlotInfo("slot", "pgoutput", "logical", "db", false, 0,
                confirmed == null ? null : Lsn.parse(confirmed), walStatus));
    }

    @Test
    @DisplayName("continues from the capture position when the slot confirmed no more than the log holds")
    void continues() {
        HistoryDecision decision = HistoryDecision.decide(LOG, SOURCE, slot("0/400", "reserved"), "slot");
        assertThat(decision.action()).isEqualTo(Action.CONTINUE);
        assertThat(decision.startPosition()).isEqualTo(Lsn.parse("0/500"));
        assertThat(HistoryDecision.decide(LOG, SOURCE, slot("0/500", "reserved"), "slot").action()).isEqualTo(Action.CONTINUE);
    }

    @Test
    @DisplayName("starts a new history when the slot is missing, invalidated, recreated or ahead of the log")
    void newHistory() {
        assertThat(HistoryDecision.decide(LOG, SOURCE, Optional.empty(), "slot").action())
                .isEqualTo(Action.NEW_HISTORY_CREATE_SLOT);
        assertThat(HistoryDecision.decide(LOG, SOURCE, slot("0/400", "lost"), "slot").action())
                .isEqualTo(Action.NEW_HISTORY_RECREATE_SLOT);
        HistoryDecision ahead = HistoryDecision.decide(LOG, SOURCE, slot("0/600", "reserved"), "slot");
        assertThat(ahead.action()).isEqualTo(Action.NEW_HISTORY_ON_SLOT);
        assertThat(ahead.startPosition()).isEqualTo(Lsn.parse("0/600"));
        assertThat(ahead.reason()).contains("recreated or advanced");
    }

    @Test
    @DisplayName("starts a new history when the source is another cluster, another timeline, restored, or the slot name changed")
    void otherSource() {
        assertThat(HistoryDecision.decide(LOG, new SourceIdentity("7001", 1, Lsn.parse("0/9000"), "db"),
                slot("0/400", "reserved"), "slot").reason()).contains("different PostgreSQL cluster");
        assertThat(HistoryDecision.decide(LOG, new SourceIdentity("7000", 2, Lsn.parse("0/9000"), "db"),
                slot("0/400", "reserved"), "slot").reason()).contains("timeline");
        assertThat(HistoryDecision.decide(LOG, new SourceIdentity("7000", 1, Lsn.parse("0/450"), "db"),
                slot("0/400", "reserved"), "slot").reason()).contains("restored");
        assertThat(HistoryDecision.decide(LOG, SOURCE, slot("0/400", "reserved"), "other").action())
                .isEqualTo(Action.NEW_HISTORY_ON_SLOT);
        assertThat(HistoryDecision.decide(Optional.of(new HistoryState("foreign", Lsn.parse("0/500"), Lsn.ZERO)),
                SOURCE, slot("0/400", "reserved"), "slot").action()).isEqualTo(Action.NEW_HISTORY_ON_SLOT);
    }

    @Test
    @DisplayName("history ids round-trip and name their parts")
    void historyId() {
        HistoryIdentity id = new HistoryIdentity("7412345678901234567", 3, "tidemark_1", Lsn.parse("1/A2B3C0"));
        assertThat(id.historyId()).isEqualTo("pg-7412345678901234567-3-tidemark_1-0000000100A2B3C0");
        assertThat(HistoryIdentity.parse(id.historyId())).contains(id);
        assertThat(HistoryIdentity.parse("h1")).isEmpty();
    }
}
