package dev.tidemark.server.changelog.postgres;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.Param;
import org.jooq.Query;

/**
 * A jOOQ query rendered once to SQL, for a hot statement run with plain JDBC: its named parameters are bound
 * by name ({@link #index}) instead of by counting question marks.
 *
 * @param sql the SQL, with {@code ?} for each parameter
 * @param parameters the parameters' names in the order of their {@code ?}
 */
record RenderedQuery(String sql, List<String> parameters) {

    RenderedQuery {
        requireNonNull(sql, "sql is null");
        parameters = List.copyOf(parameters);
    }

    /** A named parameter as jOOQ renders it ({@code :name}), not the second colon of a cast ({@code ::type}). */
    private static final Pattern NAMED = Pattern.compile("(?<![:\\w]):([a-z_][a-z0-9_]*)");

    /** Renders {@code query}, whose parameters are all named ({@code DSL.param(name, type)}) or inline. */
    static RenderedQuery of(Query query) {
        Matcher named = NAMED.matcher(ChangeLogDsl.renderNamed(query));
        StringBuilder sql = new StringBuilder();
        List<String> parameters = new ArrayList<>();
        while (named.find()) {
            parameters.add(named.group(1));
            named.appendReplacement(sql, "?");
        }
        named.appendTail(sql);
        return new RenderedQuery(sql.toString(), parameters);
    }

    /** The JDBC index (from 1) of {@code parameter}. */
    int index(Param<?> parameter) {
        int index = parameters.indexOf(parameter.getParamName());
        if (index < 0 || parameters.lastIndexOf(parameter.getParamName()) != index) {
            throw new IllegalArgumentException("parameter " + parameter.getParamName() + " occurs " + (index < 0
                    ? "nowhere" : "more than once") + " in " + sql);
        }
        return index + 1;
    }
}
