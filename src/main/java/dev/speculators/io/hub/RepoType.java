package dev.speculators.io.hub;

import java.util.Locale;

/** The kinds of Hugging Face Hub repositories the tools read from. */
public enum RepoType {
  MODEL("models", "", "model"),
  DATASET("datasets", "datasets/", "dataset");

  private final String apiSegment;
  private final String resolvePrefix;
  private final String noun;

  RepoType(String apiSegment, String resolvePrefix, String noun) {
    this.apiSegment = apiSegment;
    this.resolvePrefix = resolvePrefix;
    this.noun = noun;
  }

  /** Path segment of the JSON API: {@code /api/models/...} or {@code /api/datasets/...}. */
  public String apiSegment() {
    return apiSegment;
  }

  /**
   * Prefix of the file URL: {@code /{repo}/resolve/...} or {@code /datasets/{repo}/resolve/...}.
   */
  public String resolvePrefix() {
    return resolvePrefix;
  }

  /**
   * Folder-name prefix in the Hub cache, the same as the Python client's ({@code
   * models--org--name}).
   */
  public String cachePrefix() {
    return apiSegment;
  }

  /** "model" or "dataset", for messages. */
  public String noun() {
    return noun;
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
