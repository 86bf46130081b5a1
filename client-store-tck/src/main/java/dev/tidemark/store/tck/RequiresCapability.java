package dev.tidemark.store.tck;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks a group of the kit that runs only for a store declaring all of these capabilities. */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@interface RequiresCapability {

    /** The capabilities the group needs. */
    StoreCapability[] value();
}
