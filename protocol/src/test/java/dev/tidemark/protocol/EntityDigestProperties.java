package dev.tidemark.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class EntityDigestProperties {

    @Provide
    Arbitrary<Map<String, Object>> objects() {
        return JsonValues.objects();
    }

    @Provide
    Arbitrary<Object> leaves() {
        return JsonValues.leaves();
    }

    @Provide
    Arbitrary<Map<String, Map<String, Object>>> entities() {
        return Arbitraries.maps(Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(8), JsonValues.objects())
                .ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 200)
    void theSameValueInAnySpellingHasTheSameCanonicalTextAndHash(@ForAll("objects") Map<String, Object> value,
                                                                 @ForAll long seed) {
        String compact = JsonValues.compact(value);
        String respelled = JsonValues.respelled(value, seed);
        assertThat(EntityDigest.canonicalData(respelled)).isEqualTo(EntityDigest.canonicalData(compact));
        assertThat(EntityDigest.hash("items", "1", respelled)).isEqualTo(EntityDigest.hash("items", "1", compact));
    }

    @Property(tries = 200)
    void theCanonicalTextIsValidJsonOfTheSameValueAndAFixedPoint(@ForAll("objects") Map<String, Object> value) {
        String canonical = EntityDigest.canonicalData(JsonValues.compact(value));
        assertThat(EntityDigest.canonicalData(canonical)).isEqualTo(canonical);
        assertThat(Json.canonicalObject(canonical)).isNotNull();
    }

    @Property(tries = 200)
    void anyChangedValueChangesTheHash(@ForAll("objects") Map<String, Object> value, @ForAll int at,
                                       @ForAll("leaves") Object replacement) {
        Map<String, Object> changed = JsonValues.changed(value, at, replacement);
        assertThat(EntityDigest.hash("items", "1", JsonValues.compact(changed)))
                .isNotEqualTo(EntityDigest.hash("items", "1", JsonValues.compact(value)));
    }

    @Property(tries = 200)
    void theHashCoversTheTypeAndTheId(@ForAll("leaves") Object value, @ForAll @Size(max = 6) String a,
                                      @ForAll @Size(max = 6) String b) {
        String data = JsonValues.compact(java.util.Collections.singletonMap("v", value));
        // The lengths keep a shifted boundary apart: ("ab", "c") is not ("a", "bc").
        assertThat(EntityDigest.hash("t" + a, b, data)).isNotEqualTo(EntityDigest.hash("t", a + b + "x", data));
        assertThat(EntityDigest.hash("items", a, data)).isNotEqualTo(EntityDigest.hash("other", a, data));
    }

    @Property(tries = 60)
    void theTypeDigestIgnoresOrderAndSpellingButSeesAChangedMissingOrExtraEntity(
            @ForAll("entities") Map<String, Map<String, Object>> entities, @ForAll long seed,
            @ForAll @IntRange(max = 8) int bits, @ForAll("leaves") Object replacement) {
        Random random = new Random(seed);
        List<String> ids = new ArrayList<>(entities.keySet());
        TypeDigest.Builder inOrder = TypeDigest.builder("items", bits);
        ids.forEach(id -> inOrder.add(id, JsonValues.compact(entities.get(id))));
        TypeDigest digest = inOrder.build();
        assertThat(digest.count()).isEqualTo(entities.size());

        Collections.shuffle(ids, random);
        TypeDigest.Builder shuffled = TypeDigest.builder("items", bits);
        ids.forEach(id -> shuffled.add(id, JsonValues.respelled(entities.get(id), random.nextLong())));
        assertThat(shuffled.build()).isEqualTo(digest);

        String victim = ids.get(random.nextInt(ids.size()));
        int bucket = EntityDigest.bucket(victim, bits);

        Map<String, Map<String, Object>> changed = new LinkedHashMap<>(entities);
        changed.put(victim, JsonValues.changed(entities.get(victim), random.nextInt(), replacement));
        assertDiffersOnlyIn(digest, changed, bits, bucket);

        Map<String, Map<String, Object>> missing = new LinkedHashMap<>(entities);
        missing.remove(victim);
        assertDiffersOnlyIn(digest, missing, bits, bucket);

        Map<String, Map<String, Object>> extra = new LinkedHashMap<>(entities);
        String newId = victim + "-new";
        extra.putIfAbsent(newId, entities.get(victim));
        assertDiffersOnlyIn(digest, extra, bits, EntityDigest.bucket(newId, bits));
    }

    private static void assertDiffersOnlyIn(TypeDigest digest, Map<String, Map<String, Object>> entities, int bits,
                                            int bucket) {
        TypeDigest.Builder other = TypeDigest.builder("items", bits);
        entities.forEach((id, data) -> other.add(id, JsonValues.compact(data)));
        TypeDigest otherDigest = other.build();
        assertThat(otherDigest.sum()).isNotEqualTo(digest.sum());
        assertThat(digest.differingBuckets(otherDigest)).containsExactly(bucket);
    }

    @Property(tries = 60)
    void comparingEntriesNamesExactlyTheDivergentIds(@ForAll("entities") Map<String, Map<String, Object>> entities,
                                                     @ForAll long seed, @ForAll("leaves") Object replacement) {
        Random random = new Random(seed);
        List<EntityEntry> source = new ArrayList<>();
        entities.forEach((id, data) -> source.add(new EntityEntry(id, EntityDigest.hash("items", id,
                JsonValues.compact(data)))));
        List<EntityEntry> client = new ArrayList<>();
        Set<String> expected = new HashSet<>();
        entities.forEach((id, data) -> {
            switch (random.nextInt(4)) {
                case 0 -> expected.add(id);
                case 1 -> {
                    expected.add(id);
                    client.add(new EntityEntry(id, EntityDigest.hash("items", id,
                            JsonValues.compact(JsonValues.changed(data, random.nextInt(), replacement)))));
                }
                default -> client.add(new EntityEntry(id, EntityDigest.hash("items", id,
                        JsonValues.respelled(data, random.nextLong()))));
            }
        });
        client.add(new EntityEntry("extra!", DigestHash.ZERO));
        expected.add("extra!");
        Collections.shuffle(client, random);
        assertThat(EntityEntry.divergentIds(source, client)).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Property(tries = 1000)
    void bucketsPartitionIdsStablyAndSplitInTwo(@ForAll String id, @ForAll @IntRange(max = 11) int bits) {
        int bucket = EntityDigest.bucket(id, bits);
        assertThat(bucket).isBetween(0, (1 << bits) - 1).isEqualTo(EntityDigest.bucket(new String(id), bits));
        assertThat(EntityDigest.bucket(id, bits + 1) >> 1).isEqualTo(bucket);
    }

    @Property(tries = 60)
    void sumsAddAndSubtractModulo2To128(@ForAll long a, @ForAll long b, @ForAll long c, @ForAll long d) {
        DigestHash x = new DigestHash(a, b);
        DigestHash y = new DigestHash(c, d);
        assertThat(x.plus(y).minus(y)).isEqualTo(x);
        assertThat(x.plus(y)).isEqualTo(y.plus(x));
        assertThat(DigestHash.fromHex(x.toHex())).isEqualTo(x);
        java.math.BigInteger modulus = java.math.BigInteger.ONE.shiftLeft(128);
        assertThat(new java.math.BigInteger(x.plus(y).toHex(), 16))
                .isEqualTo(new java.math.BigInteger(x.toHex(), 16).add(new java.math.BigInteger(y.toHex(), 16)).mod(modulus));
    }
}
