package dev.tidemark.server.changelog.postgres;

import static dev.tidemark.server.changelog.postgres.ChangeLogSchema.CHANGE_HISTORY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.param;
import static org.jooq.impl.DSL.select;

import dev.tidemark.protocol.Lsn;
import org.jooq.Param;
import org.jooq.impl.SQLDataType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A query rendered once")
class RenderedQueryTest {

    private static final Param<Lsn> AFTER = param("after", ChangeLogSchema.LSN);
    private static final Param<Integer> LIMIT = param("limit", SQLDataType.INTEGER);
    private static final Param<String> TYPE = param("type", SQLDataType.CLOB);

    @Test
    @DisplayName("has a ? per named parameter, in order, with pg_lsn casts kept and inline values written out")
    void rendersPlaceholders() {
        RenderedQuery query = RenderedQuery.of(select(CHANGE_HISTORY.SEQ).from(CHANGE_HISTORY.table)
                .where(CHANGE_HISTORY.ENTITY_TYPE.eq(TYPE)).and(CHANGE_HISTORY.LSN.gt(AFTER))
                .and(CHANGE_HISTORY.SEQ.ge(inline(0)))
                .limit(LIMIT));

        assertThat(query.sql()).isEqualTo("select tidemark.change_history.seq from tidemark.change_history"
                + " where (tidemark.change_history.entity_type = ? and tidemark.change_history.lsn > ?::pg_lsn"
                + " and tidemark.change_history.seq >= 0) fetch next ? rows only");
        assertThat(query.parameters()).containsExactly("type", "after", "limit");
        assertThat(query.index(TYPE)).isEqualTo(1);
        assertThat(query.index(AFTER)).isEqualTo(2);
        assertThat(query.index(LIMIT)).isEqualTo(3);
    }

    @Test
    @DisplayName("refuses a parameter it does not hold, or holds twice")
    void refusesUnknownParameters() {
        RenderedQuery query = RenderedQuery.of(select(CHANGE_HISTORY.SEQ).from(CHANGE_HISTORY.table)
                .where(CHANGE_HISTORY.LSN.gt(AFTER)).and(CHANGE_HISTORY.LSN.lt(AFTER)));

        assertThatThrownBy(() -> query.index(LIMIT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameter limit occurs nowhere");
        assertThatThrownBy(() -> query.index(AFTER)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameter after occurs more than once");
    }
}
