package dev.tidemark.protocol;

import java.util.List;

/**
 * Some buckets of one entity type's {@link TypeDigest} at a number of bucket bits.
 *
 * @param entityType the entity type
 * @param bucketBits the bucket bits the buckets are counted in (0 to {@link EntityDigest#MAX_BUCKET_BITS})
 * @param buckets the buckets, ascending, each once, at least one
 */
public record BucketSet(String entityType, int bucketBits, List<Integer> buckets) {

    public BucketSet {
        Validation.requiredId(entityType, "entityType");
        Validation.check(bucketBits >= 0 && bucketBits <= EntityDigest.MAX_BUCKET_BITS,
                "bucketBits must be 0 to " + EntityDigest.MAX_BUCKET_BITS + ", not " + bucketBits);
        buckets = List.copyOf(Validation.required(buckets, "buckets"));
        Validation.check(!buckets.isEmpty(), "buckets of " + entityType + " is empty");
        int previous = -1;
        for (int bucket : buckets) {
            Validation.check(bucket > previous && bucket < 1 << bucketBits, "buckets of " + entityType
                    + " must ascend, each once, within 0 to " + ((1 << bucketBits) - 1) + " at " + bucketBits
                    + " bits");
            previous = bucket;
        }
    }

    /** True when {@code bucket} is listed. */
    public boolean contains(int bucket) {
        return java.util.Collections.binarySearch(buckets, bucket) >= 0;
    }
}
