package dev.tidemark.server.changelog.postgres;

import dev.tidemark.protocol.Lsn;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Types;
import org.jooq.Binding;
import org.jooq.BindingGetResultSetContext;
import org.jooq.BindingGetSQLInputContext;
import org.jooq.BindingGetStatementContext;
import org.jooq.BindingRegisterContext;
import org.jooq.BindingSQLContext;
import org.jooq.BindingSetSQLOutputContext;
import org.jooq.BindingSetStatementContext;
import org.jooq.Converter;
import org.jooq.conf.ParamType;
import org.jooq.impl.DSL;

/**
 * PostgreSQL's {@code pg_lsn} as {@link Lsn}: bound as text cast to {@code pg_lsn} (the driver has no such type),
 * read as text ({@code X/Y}) and parsed.
 */
final class LsnBinding implements Binding<String, Lsn> {

    private static final Converter<String, Lsn> CONVERTER =
            Converter.ofNullable(String.class, Lsn.class, Lsn::parse, Lsn::toString);

    @Override
    public Converter<String, Lsn> converter() {
        return CONVERTER;
    }

    @Override
    public void sql(BindingSQLContext<Lsn> ctx) {
        if (ctx.render().paramType() == ParamType.INLINED) {
            ctx.render().visit(DSL.inline(CONVERTER.to(ctx.value()))).sql("::pg_lsn");
        } else {
            ctx.render().sql(ctx.variable()).sql("::pg_lsn");
        }
    }

    @Override
    public void register(BindingRegisterContext<Lsn> ctx) throws SQLException {
        ctx.statement().registerOutParameter(ctx.index(), Types.VARCHAR);
    }

    @Override
    public void set(BindingSetStatementContext<Lsn> ctx) throws SQLException {
        if (ctx.value() == null) {
            ctx.statement().setNull(ctx.index(), Types.VARCHAR);
        } else {
            ctx.statement().setString(ctx.index(), ctx.value().toString());
        }
    }

    @Override
    public void get(BindingGetResultSetContext<Lsn> ctx) throws SQLException {
        ctx.value(CONVERTER.from(ctx.resultSet().getString(ctx.index())));
    }

    @Override
    public void get(BindingGetStatementContext<Lsn> ctx) throws SQLException {
        ctx.value(CONVERTER.from(ctx.statement().getString(ctx.index())));
    }

    @Override
    public void set(BindingSetSQLOutputContext<Lsn> ctx) throws SQLException {
        throw new SQLFeatureNotSupportedException("pg_lsn is not written to SQL output");
    }

    @Override
    public void get(BindingGetSQLInputContext<Lsn> ctx) throws SQLException {
        throw new SQLFeatureNotSupportedException("pg_lsn is not read from SQL input");
    }
}
