package dev.speculators.local;

/** The resource file cannot run locally: invalid resources, wrong engine, dangling references. */
public final class InvalidResourcesException extends Exception {
  public InvalidResourcesException(String message) {
    super(message);
  }
}
