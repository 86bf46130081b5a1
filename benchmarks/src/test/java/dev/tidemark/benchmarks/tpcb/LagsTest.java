package dev.tidemark.benchmarks.tpcb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The two lag definitions of {@link Lags}, on positions and times made up so each case shows. */
class LagsTest {

    private static final long[] COMMITS = {90, 200, 400};

    /** The client's committed position: 90 at 5 ms, 200 at 12 ms, 400 at 30 ms. */
    private static PositionLog client() {
        return log(0, 0, 90, 5, 200, 12, 400, 30);
    }

    @Test
    void lagWaitsForTheLastCommitBeforeTheProbeAndPassedLagForTheNextCommitAfterIt() {
        Lags lags = Lags.of(log(100, 0, 300, 10), client(), COMMITS, 0);

        // probe 100 at 0 ms: the last commit before it, 90, reached at 5 ms; the first position past it, 200, at 12
        // probe 300 at 10 ms: commit 200 reached at 12 ms; the first position past it, 400, at 30
        assertThat(lags.lag().samples()).isEqualTo(2);
        assertThat(lags.lag().p50()).isEqualTo(5.0);
        assertThat(lags.lag().max()).isEqualTo(5.0);
        assertThat(lags.passedLag().p50()).isEqualTo(20.0);
        assertThat(lags.passedLag().max()).isEqualTo(20.0);
        assertThat(lags.passedLag().samples()).isEqualTo(2);
    }

    @Test
    void aCommitAtTheProbedPositionIsNotYetWrittenAndAClientAlreadyThereHasNoLag() {
        // probe 200 at 11 ms: the commit record at 200 starts where the WAL written so far ends, so the source's
        // last commit is 90, which the client had at 5 ms
        Lags lags = Lags.of(log(200, 11), client(), COMMITS, 0);

        assertThat(lags.lag().max()).isEqualTo(0.0);
        assertThat(lags.passedLag().max()).isEqualTo(19.0);
    }

    @Test
    void probesBeforeTheFirstCommitAndAfterTheLastAreCountedApart() {
        Lags lags = Lags.of(log(80, 1, 450, 31), client(), COMMITS, 0);

        assertThat(lags.probes()).isEqualTo(2);
        assertThat(lags.beforeFirstCommit()).isEqualTo(1);
        assertThat(lags.lag().samples()).isEqualTo(1);
        assertThat(lags.lag().max()).isEqualTo(0.0);
        assertThat(lags.notPassed()).isEqualTo(1);
        assertThat(lags.passedLag().samples()).isEqualTo(1);
        assertThat(lags.passedLag().max()).isEqualTo(4.0);
    }

    @Test
    void eachSecondGetsItsOwnP99() {
        Lags lags = Lags.of(log(100, 0, 300, 1_010), log(0, 0, 90, 3, 200, 1_017), COMMITS, 0);

        assertThat(lags.lag().secondsP99()).containsExactly(3.0, 7.0);
        assertThat(lags.lag().p99()).isEqualTo(7.0);
    }

    @Test
    void aClientThatNeverReachesACommitIsAnError() {
        assertThatThrownBy(() -> Lags.of(log(300, 0), log(0, 0, 90, 5), COMMITS, 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("never reached commit 200");
    }

    /** A log of (position, milliseconds) pairs. */
    private static PositionLog log(long... pairs) {
        PositionLog log = new PositionLog();
        for (int i = 0; i < pairs.length; i += 2) {
            log.add(pairs[i], pairs[i + 1] * 1_000_000);
        }
        return log;
    }
}
