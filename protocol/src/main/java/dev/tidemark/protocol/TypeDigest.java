package dev.tidemark.protocol;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * The digest of every entity of one entity type: how many there are, the sum of their
 * {@link EntityDigest#hash entity hashes} modulo 2<sup>128</sup>, and the same two figures per
 * {@link EntityDigest#bucket bucket} of their ids, so that a difference can be narrowed to the buckets
 * that differ. Two sides that hold the same entities (same ids, same data up to spelling) have equal
 * digests, whatever order they read them in.
 *
 * <p>Why a sum and not an XOR: the sum of a multiset of hashes changes when any entity changes, is
 * missing or is extra (with probability 1 - 2<sup>-128</sup> for a hash that behaves like a random
 * function), and it also changes when one entity is counted twice, where an XOR would cancel the pair.
 * The count makes a missing or extra entity visible at once, and adds up per bucket like the sum.
 *
 * @param entityType the entity type
 * @param bucketBits how many bits of an id's bucket hash split the entities: 2<sup>bucketBits</sup> buckets
 * @param buckets the digest of each bucket, bucket 0 first; exactly 2<sup>bucketBits</sup> of them
 */
public record TypeDigest(String entityType, int bucketBits, List<Bucket> buckets) {

    /**
     * The digest of the entities of one bucket.
     *
     * @param count how many entities
     * @param sum the sum of their hashes modulo 2<sup>128</sup>
     */
    public record Bucket(long count, DigestHash sum) {

        /** The bucket that holds nothing. */
        public static final Bucket EMPTY = new Bucket(0, DigestHash.ZERO);

        public Bucket {
            requireNonNull(sum, "sum is null");
            if (count < 0) {
                throw new IllegalArgumentException("count is negative: " + count);
            }
        }
    }

    public TypeDigest {
        requireNonNull(entityType, "entityType is null");
        EntityDigest.checkBits(bucketBits);
        buckets = List.copyOf(buckets);
        if (buckets.size() != 1 << bucketBits) {
            throw new IllegalArgumentException(
                    (1 << bucketBits) + " buckets expected for " + bucketBits + " bits, not " + buckets.size());
        }
    }

    /** How many entities. */
    public long count() {
        long count = 0;
        for (Bucket bucket : buckets) {
            count += bucket.count();
        }
        return count;
    }

    /** The sum of every entity's hash, modulo 2<sup>128</sup>. */
    public DigestHash sum() {
        DigestHash sum = DigestHash.ZERO;
        for (Bucket bucket : buckets) {
            sum = sum.plus(bucket.sum());
        }
        return sum;
    }

    /** The digest of no entities. */
    public static TypeDigest empty(String entityType, int bucketBits) {
        return builder(entityType, bucketBits).build();
    }

    /**
     * The buckets whose count or sum differ from {@code other}'s, in ascending order.
     *
     * @throws IllegalArgumentException when the two digests are of different entity types or bucket bits
     */
    public List<Integer> differingBuckets(TypeDigest other) {
        if (!entityType.equals(other.entityType) || bucketBits != other.bucketBits) {
            throw new IllegalArgumentException("cannot compare the digest of " + entityType + " at " + bucketBits
                    + " bucket bits with that of " + other.entityType + " at " + other.bucketBits);
        }
        List<Integer> differing = new ArrayList<>();
        for (int i = 0; i < buckets.size(); i++) {
            if (!buckets.get(i).equals(other.buckets.get(i))) {
                differing.add(i);
            }
        }
        return differing;
    }

    /**
     * The same digest at fewer bucket bits: an id's bucket at fewer bits is a prefix of its bucket at more, so
     * each coarser bucket is the sum of the finer buckets it covers. Lets a side digest once at
     * {@link EntityDigest#MAX_BUCKET_BITS} and send the bits that suit the count ({@link #bitsFor}).
     *
     * @throws IllegalArgumentException when {@code bits} is more than this digest's bits or below 0
     */
    public TypeDigest coarser(int bits) {
        if (bits < 0 || bits > bucketBits) {
            throw new IllegalArgumentException("cannot make the digest of " + entityType + " at " + bucketBits
                    + " bucket bits coarser to " + bits + " bits");
        }
        int shift = bucketBits - bits;
        List<Bucket> coarse = new ArrayList<>(1 << bits);
        for (int i = 0; i < 1 << bits; i++) {
            long count = 0;
            DigestHash sum = DigestHash.ZERO;
            for (int j = i << shift; j < (i + 1) << shift; j++) {
                count += buckets.get(j).count();
                sum = sum.plus(buckets.get(j).sum());
            }
            coarse.add(count == 0 && sum.equals(DigestHash.ZERO) ? Bucket.EMPTY : new Bucket(count, sum));
        }
        return new TypeDigest(entityType, bits, coarse);
    }

    /**
     * The bucket bits that suit {@code count} entities: the fewest that keep about 256 entities per
     * bucket, at most {@link EntityDigest#MAX_BUCKET_BITS}. Both sides must use the same bits; the side that
     * asks chooses them (from its own count, which is close to the other's when little differs).
     */
    public static int bitsFor(long count) {
        int bits = 0;
        while (bits < EntityDigest.MAX_BUCKET_BITS && count > 256L << bits) {
            bits++;
        }
        return bits;
    }

    /** Collects the digest of one entity type, entity by entity, in any order. */
    public static Builder builder(String entityType, int bucketBits) {
        return new Builder(entityType, bucketBits);
    }

    /** Adds entities one at a time; memory is fixed by the bucket bits. Not thread-safe. */
    public static final class Builder {

        private final String entityType;
        private final int bucketBits;
        private final long[] counts;
        private final long[] highs;
        private final long[] lows;

        private Builder(String entityType, int bucketBits) {
            this.entityType = requireNonNull(entityType, "entityType is null");
            EntityDigest.checkBits(bucketBits);
            this.bucketBits = bucketBits;
            this.counts = new long[1 << bucketBits];
            this.highs = new long[1 << bucketBits];
            this.lows = new long[1 << bucketBits];
        }

        /**
         * Adds one entity.
         *
         * @throws ProtocolException {@link ErrorCode#INVALID_FIELD} when {@code data} is not valid JSON
         */
        public Builder add(String entityId, String data) {
            return add(entityId, EntityDigest.hash(entityType, entityId, data));
        }

        /** Adds one entity whose {@link EntityDigest#hash hash} is known. */
        public Builder add(String entityId, DigestHash hash) {
            int bucket = EntityDigest.bucket(entityId, bucketBits);
            DigestHash sum = new DigestHash(highs[bucket], lows[bucket]).plus(hash);
            counts[bucket]++;
            highs[bucket] = sum.high();
            lows[bucket] = sum.low();
            return this;
        }

        /** The digest of the entities added so far. */
        public TypeDigest build() {
            List<Bucket> buckets = new ArrayList<>(counts.length);
            for (int i = 0; i < counts.length; i++) {
                buckets.add(counts[i] == 0 && highs[i] == 0 && lows[i] == 0
                        ? Bucket.EMPTY : new Bucket(counts[i], new DigestHash(highs[i], lows[i])));
            }
            return new TypeDigest(entityType, bucketBits, buckets);
        }
    }
}
