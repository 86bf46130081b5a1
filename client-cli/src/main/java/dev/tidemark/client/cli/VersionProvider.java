package dev.tidemark.client.cli;

import picocli.CommandLine.IVersionProvider;

/** Reads the version from the jar's manifest. */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = TidemarkClientCommand.class.getPackage().getImplementationVersion();
        return new String[] {"tidemark-client " + (version == null ? "(development build)" : version)};
    }
}
