package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class LsnProperties {

    @Property
    void printThenParseIsIdentity(@ForAll long value) {
        Lsn lsn = Lsn.of(value);
        assertThat(Lsn.parse(lsn.toString())).isEqualTo(lsn);
        assertThat(Lsn.parse(lsn.toString().toLowerCase(Locale.ROOT))).isEqualTo(lsn);
    }

    @Property
    void printsLikePostgres(@ForAll long value) {
        String expected = Long.toHexString(value >>> 32).toUpperCase(Locale.ROOT) + "/"
                + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
        assertThat(Lsn.of(value)).hasToString(expected);
    }

    @Property
    void orderingIsUnsigned64Bit(@ForAll long a, @ForAll long b) {
        assertThat(Integer.signum(Lsn.of(a).compareTo(Lsn.of(b))))
                .isEqualTo(Integer.signum(Long.compareUnsigned(a, b)));
        assertThat(Lsn.of(a).isAfter(Lsn.of(b))).isEqualTo(Long.compareUnsigned(a, b) > 0);
    }
}
