package dev.tidemark.server.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("The oracle's comparison rules tell equal values from different ones")
class RuleTest {

    @ParameterizedTest(name = "{0}: source {1} vs log {2} -> equal {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "NUMERIC     | 1.50                             | 1.50                          | true",
        "NUMERIC     | 1.50                             | 1.5                           | false",
        "NUMERIC     | 0.0000001                        | 1E-7                          | true",
        "NUMERIC     | ~\"NaN\"~                        | ~\"NaN\"~                     | true",
        "FLOAT       | -0                               | ~\"-0\"~                      | true",
        "FLOAT       | -0                               | 0                             | false",
        "FLOAT       | 1e+20                            | 1E+20                         | true",
        "INTEGER     | -9223372036854775808             | -9223372036854775808          | true",
        "INTEGER     | 7                                | 8                             | false",
        "TIMESTAMP   | ~\"0044-03-15T10:00:00 BC\"~     | ~\"-0043-03-15T10:00:00\"~    | true",
        "TIMESTAMP   | ~\"10000-01-01T00:00:00\"~       | ~\"+10000-01-01T00:00:00\"~   | true",
        "TIMESTAMP   | ~\"2024-05-06T07:08:09.5\"~      | ~\"2024-05-06T07:08:09.50\"~  | false",
        "TIMESTAMPTZ | ~\"2024-05-06T05:08:09.5+00:00\"~ | ~\"2024-05-06T05:08:09.500Z\"~ | true",
        "TIMESTAMPTZ | ~\"2024-05-06T05:08:09.5+00:00\"~ | ~\"2024-05-06T05:08:09.5Z\"~  | false",
        "TIMESTAMPTZ | ~\"2024-05-06T05:08:09+00:00\"~  | ~\"2024-05-06T05:08:10Z\"~    | false",
        "TIMESTAMPTZ | ~\"0001-01-01T00:00:00+00:00 BC\"~ | ~\"0000-01-01T00:00:00Z\"~  | true",
        "TIMETZ      | ~\"07:08:09+00:00\"~             | ~\"07:08:09Z\"~               | true",
        "TIMETZ      | ~\"07:08:09+05:30\"~             | ~\"07:08:09+05:30\"~          | true",
        "TIMETZ      | ~\"07:08:09+05:30\"~             | ~\"07:08:09+05:00\"~          | false",
        "JSON        | ~{\"b\": 1.0, \"a\": [null]}~    | ~{\"a\":[null],\"b\":1.0}~    | true",
        "JSON        | ~{\"a\": 1}~                     | ~{\"a\":1,\"b\":null}~        | false",
        "JSON        | ~{\"a\": \"1\"}~                 | ~{\"a\":1}~                   | false",
        "STRING      | ~\"ab \"~                        | ~\"ab\"~                      | false",
        "BOOLEAN     | true                             | false                         | false",
    })
    void scalars(Rule rule, String source, String ours, boolean equal) {
        assertThat(Rule.compare(rule, null, RawJson.parse(source), RawJson.parse(ours)) == null).isEqualTo(equal);
    }

    @ParameterizedTest(name = "{0}[]: source {1} vs log {2} -> equal {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
        "FLOAT       | ~[[1, null], [-0, NaN]]~  | ~[[1, null], [\"-0\", NaN]]~ | true",
        "INTEGER     | ~[[1, 2], [3, 4]]~        | ~[1, 2, 3, 4]~              | false",
        "INTEGER     | ~[1, null]~               | ~[1]~                       | false",
        "TIMESTAMP   | ~[\"infinity\", null]~    | ~[\"infinity\", null]~      | true",
    })
    void arrays(Rule element, String source, String ours, boolean equal) {
        Object s = RawJson.parse(source.replace("NaN", "\"NaN\""));
        Object o = RawJson.parse(ours.replace("NaN", "\"NaN\""));
        assertThat(Rule.compare(Rule.ARRAY_OF, element, s, o) == null).isEqualTo(equal);
    }
}
