package dev.tidemark.client;

import dev.tidemark.client.internal.fixture.PlantedInternalSide;

/** Fixture: the API package's side of a planted API <-> internal cycle (test-only, not part of the client). */
public class PlantedApiSide {
    public PlantedInternalSide engine;
}
