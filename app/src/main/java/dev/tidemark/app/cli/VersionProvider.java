package dev.tidemark.app.cli;

import picocli.CommandLine.IVersionProvider;

/** Reads the version from the jar's manifest. */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = TidemarkServer.class.getPackage().getImplementationVersion();
        return new String[] {"tidemark " + (version == null ? "(development build)" : version)};
    }
}
