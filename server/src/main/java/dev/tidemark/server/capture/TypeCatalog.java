package dev.tidemark.server.capture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps type OIDs to {@link PgType}s. Built-in scalar and array types are known; any other OID
 * (domains, enums, arrays of user types) is looked up once in {@code pg_type} through a connection to
 * the source, if one is given, and otherwise rendered as text. Used by the capture thread only.
 */
final class TypeCatalog {

    private static final Logger log = LoggerFactory.getLogger(TypeCatalog.class);

    private static final Map<Integer, PgType> BUILT_IN = builtIn();

    private final Connection connection;
    private final Map<Integer, PgType> resolved = new HashMap<>();

    /** @param connection a connection to the source for looking up other types, or {@code null} */
    TypeCatalog(Connection connection) {
        this.connection = connection;
    }

    PgType type(int oid) {
        PgType known = BUILT_IN.get(oid);
        if (known != null) {
            return known;
        }
        return resolved.computeIfAbsent(oid, this::lookUp);
    }

    private PgType lookUp(int oid) {
        return lookUp(oid, 0);
    }

    private PgType lookUp(int oid, int depth) {
        PgType known = BUILT_IN.get(oid);
        if (known != null) {
            return known;
        }
        if (connection == null || depth > 8) {
            return PgType.TEXT;
        }
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT typtype, typbasetype, typelem, typdelim, typcategory, typlen FROM pg_type WHERE oid = ?")) {
            select.setLong(1, Integer.toUnsignedLong(oid));
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return PgType.TEXT;
                }
                String typtype = row.getString(1);
                int baseType = (int) row.getLong(2);
                int elementType = (int) row.getLong(3);
                String delimiter = row.getString(4);
                String category = row.getString(5);
                int length = row.getInt(6);
                if ("d".equals(typtype)) {
                    return lookUp(baseType, depth + 1);
                }
                if ("A".equals(category) && elementType != 0 && length == -1) {
                    return PgType.arrayOf(lookUp(elementType, depth + 1), delimiter.isEmpty() ? ',' : delimiter.charAt(0));
                }
                return PgType.TEXT;
            }
        } catch (SQLException e) {
            log.warn("could not look up type {} in pg_type; its values are captured as text: {}", oid, e.getMessage());
            return PgType.TEXT;
        }
    }

    private static Map<Integer, PgType> builtIn() {
        Map<Integer, PgType> types = new HashMap<>();
        for (int oid : new int[] {20, 21, 23, 26}) {
            types.put(oid, PgType.INTEGER);
        }
        for (int oid : new int[] {700, 701, 1700}) {
            types.put(oid, PgType.DECIMAL);
        }
        types.put(16, PgType.BOOLEAN);
        types.put(114, PgType.JSON);
        types.put(3802, PgType.JSON);
        types.put(1114, PgType.TIMESTAMP);
        types.put(1184, PgType.TIMESTAMPTZ);
        types.put(1266, PgType.TIMETZ);
        types.put(17, PgType.BYTEA);
        // text, varchar, bpchar, name, "char", uuid, date, time, interval, inet, cidr, macaddr, money, xml
        for (int oid : new int[] {25, 1043, 1042, 19, 18, 2950, 1082, 1083, 1186, 869, 650, 829, 790, 142}) {
            types.put(oid, PgType.TEXT);
        }
        array(types, 1000, 16);
        array(types, 1001, 17);
        array(types, 1005, 21);
        array(types, 1007, 23);
        array(types, 1016, 20);
        array(types, 1028, 26);
        array(types, 1021, 700);
        array(types, 1022, 701);
        array(types, 1231, 1700);
        array(types, 199, 114);
        array(types, 3807, 3802);
        array(types, 1115, 1114);
        array(types, 1185, 1184);
        array(types, 1270, 1266);
        for (int oid : new int[] {1009, 1015, 1014, 1003, 1002, 2951, 1182, 1183, 1187, 1041, 651, 1040, 791, 143}) {
            types.put(oid, PgType.arrayOf(PgType.TEXT, ','));
        }
        return Map.copyOf(types);
    }

    private static void array(Map<Integer, PgType> types, int arrayOid, int elementOid) {
        types.put(arrayOid, PgType.arrayOf(types.get(elementOid), ','));
    }
}
