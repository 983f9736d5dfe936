package dev.speculators.io.hub;

/** What a Hub request is about, for error messages that name it. */
record HubTarget(RepoType type, String repoId, String revision, String filename) {

  String describe() {
    return type.noun()
        + " '"
        + repoId
        + "'"
        + (filename == null ? "" : " (file '" + filename + "')");
  }

  String describeMissingFile() {
    return type.noun()
        + " '"
        + repoId
        + "' has no file '"
        + filename
        + "' at revision '"
        + revision
        + "'";
  }

  String describeMissingRevision() {
    return type.noun() + " '" + repoId + "' has no revision '" + revision + "'";
  }

  String describeMissingRepo() {
    return type.noun()
        + " '"
        + repoId
        + "' does not exist on the Hub (or is private: set HF_TOKEN)";
  }

  String describeNotFound() {
    return "not found on the Hub: "
        + type.noun()
        + " '"
        + repoId
        + "'"
        + (filename == null ? "" : ", file '" + filename + "'")
        + ", revision '"
        + revision
        + "'";
  }
}
