package dev.speculators.io.hub;

import dev.speculators.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The on-disk cache, laid out like the Python {@code huggingface_hub} cache so that a cache filled
 * by {@code hf download} is read here and the other way round:
 *
 * <pre>
 * {root}/{models|datasets}--{org}--{name}/
 *     refs/{revision}                 the commit a branch or tag pointed to at the last lookup
 *     blobs/{etag}                    file contents, named by the Hub's ETag
 *     blobs/{etag}.incomplete         a download in progress (resumed from its length)
 *     snapshots/{commit}/{filename}   relative symbolic link to the blob
 * {root}/.locks/{repo folder}/{etag}.lock   serialises downloads of one blob across processes
 * </pre>
 */
final class HubCache {
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
  private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9_.\\-]+(/[A-Za-z0-9_.\\-]+)?");

  private final Path root;

  HubCache(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  static boolean isCommit(String revision) {
    return COMMIT.matcher(revision).matches();
  }

  /** Rejects ids that could not be Hub repositories, and with them any path tricks. */
  static void checkRepoId(String repoId) throws HfHubException {
    if (repoId == null || !REPO_ID.matcher(repoId).matches() || repoId.contains("..")) {
      throw new HfHubException(
          "invalid repository id '" + repoId + "': expected 'name' or 'org/name'");
    }
  }

  /** Rejects file names and revisions that would escape the cache folder. */
  static void checkRelative(String what, String value) throws HfHubException {
    if (value == null || value.isEmpty() || value.startsWith("/") || value.contains("\\")) {
      throw new HfHubException("invalid " + what + " '" + value + "'");
    }
    for (String part : value.split("/", -1)) {
      if (part.isEmpty() || part.equals(".") || part.equals("..")) {
        throw new HfHubException("invalid " + what + " '" + value + "'");
      }
    }
  }

  Path repoDir(RepoType type, String repoId) {
    return root.resolve(folderName(type, repoId));
  }

  static String folderName(RepoType type, String repoId) {
    return type.cachePrefix() + "--" + repoId.replace("/", "--");
  }

  Path blob(Path repoDir, String etag) {
    return repoDir.resolve("blobs").resolve(etag);
  }

  Path incomplete(Path repoDir, String etag) {
    return repoDir.resolve("blobs").resolve(etag + ".incomplete");
  }

  Path snapshotDir(Path repoDir, String commit) {
    return repoDir.resolve("snapshots").resolve(commit);
  }

  /**
   * Makes {@code path} and the folders above it, up to the cache root, group-writable where this
   * process owns them (like {@code huggingface_hub}, whose lock files are 0664): a cache volume is
   * shared by containers of one group (the pods' fsGroup) that may run as different users, and each
   * must be able to add files and take locks beside the others'. Best effort: a filesystem without
   * POSIX permissions, or a path owned by another user, is left as it is.
   */
  void share(Path path) {
    Path top = root.toAbsolutePath().normalize();
    for (Path p = path.toAbsolutePath().normalize();
        p != null && p.startsWith(top) && !p.equals(top);
        p = p.getParent()) {
      try {
        Set<PosixFilePermission> perms =
            new HashSet<>(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        boolean dir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
        boolean changed = perms.add(PosixFilePermission.GROUP_READ);
        changed |= perms.add(PosixFilePermission.GROUP_WRITE);
        if (dir) {
          changed |= perms.add(PosixFilePermission.GROUP_EXECUTE);
        }
        if (changed && !Files.isSymbolicLink(p)) {
          Files.setPosixFilePermissions(p, perms);
        }
      } catch (IOException | UnsupportedOperationException | SecurityException e) {
        // not ours, or no POSIX permissions here
      }
    }
  }

  Path lockFile(RepoType type, String repoId, String etag) {
    return root.resolve(".locks").resolve(folderName(type, repoId)).resolve(etag + ".lock");
  }

  /** The commit {@code revision} names: itself when it is a commit hash, else the stored ref. */
  Optional<String> commitFor(Path repoDir, String revision) throws IOException {
    if (isCommit(revision)) {
      return Optional.of(revision);
    }
    Path ref = repoDir.resolve("refs").resolve(revision);
    if (!Files.isRegularFile(ref)) {
      return Optional.empty();
    }
    String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
    return commit.isEmpty() ? Optional.empty() : Optional.of(commit);
  }

  void writeRef(Path repoDir, String revision, String commit) throws IOException {
    if (revision.equals(commit)) {
      return;
    }
    Path ref = repoDir.resolve("refs").resolve(revision);
    Optional<String> current = commitFor(repoDir, revision);
    if (current.isEmpty() || !current.get().equals(commit)) {
      AtomicFiles.writeString(ref, commit);
      share(ref);
    }
  }

  /** The cached copy of {@code filename} at {@code revision}, if the cache has it. */
  Optional<Path> cachedFile(Path repoDir, String revision, String filename) throws IOException {
    Optional<String> commit = commitFor(repoDir, revision);
    if (commit.isEmpty()) {
      return Optional.empty();
    }
    Path file = snapshotDir(repoDir, commit.get()).resolve(filename);
    // Files.isRegularFile follows the link, so a snapshot entry whose blob is gone is a miss.
    return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
  }

  /**
   * Makes {@code snapshots/{commit}/{filename}} point at the blob. A relative symbolic link keeps
   * the cache relocatable (it is mounted at different paths in different pods); where links are not
   * supported the blob is moved into the snapshot instead.
   */
  Path link(Path repoDir, String commit, String filename, Path blob) throws IOException {
    Path target = snapshotDir(repoDir, commit).resolve(filename);
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      Files.createSymbolicLink(tmp, target.getParent().relativize(blob));
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (UnsupportedOperationException | FileSystemException e) {
      Files.deleteIfExists(tmp);
      Files.move(blob, target, StandardCopyOption.REPLACE_EXISTING);
    }
    share(target.getParent());
    return target;
  }
}
