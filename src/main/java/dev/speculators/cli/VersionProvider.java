package dev.speculators.cli;

import dev.speculators.BuildInfo;
import picocli.CommandLine;

/** Prints the application version baked into the jar at build time. */
public final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"speculators-operator " + BuildInfo.version()};
  }
}
