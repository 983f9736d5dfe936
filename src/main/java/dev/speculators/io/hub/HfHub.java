package dev.speculators.io.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.io.AtomicFiles;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Client for the Hugging Face Hub (or a mirror): lists repository files and downloads them into a
 * local cache with resumable, verified, atomic downloads.
 *
 * <p>Configuration follows the Python client's environment variables so that one pod spec serves
 * both: {@code HF_ENDPOINT}, {@code HF_TOKEN} / {@code HUGGING_FACE_HUB_TOKEN} (else the token file
 * {@code $HF_HOME/token}), {@code HF_HUB_CACHE} / {@code $HF_HOME/hub}, and {@code
 * HF_HUB_OFFLINE=1} (only the cache is used). The cache layout is the Python client's as well (see
 * {@link HubCache}), so caches filled by either tool are shared.
 *
 * <p>Instances are thread-safe; concurrent downloads of the same file (threads or processes sharing
 * a cache volume) are serialised by a lock per file.
 */
public final class HfHub {
  /** The public Hub. */
  public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
  private static final Map<Path, ReentrantLock> LOCAL_LOCKS = new ConcurrentHashMap<>();

  private final URI endpoint;
  private final String token;
  private final HubCache cache;
  private final boolean offline;
  private final Options options;
  private final HubHttp http;
  private final BlobDownloader downloader;

  /** Timeouts, retries and the progress sink; {@link #defaults()} suits production. */
  public record Options(
      Duration connectTimeout,
      Duration requestTimeout,
      Duration stallTimeout,
      int attempts,
      Duration retryBackoff,
      Duration progressInterval,
      Consumer<String> log) {

    public static Options defaults() {
      return new Options(
          Duration.ofSeconds(30),
          Duration.ofSeconds(60),
          Duration.ofSeconds(120),
          5,
          Duration.ofSeconds(1),
          Duration.ofSeconds(10),
          line -> System.err.println("[hub] " + line));
    }

    public Options withLog(Consumer<String> sink) {
      return new Options(
          connectTimeout,
          requestTimeout,
          stallTimeout,
          attempts,
          retryBackoff,
          progressInterval,
          sink);
    }

    public Options withRetries(int attemptCount, Duration backoff) {
      return new Options(
          connectTimeout,
          requestTimeout,
          stallTimeout,
          attemptCount,
          backoff,
          progressInterval,
          log);
    }

    public Options withTimeouts(Duration connect, Duration request, Duration stall) {
      return new Options(connect, request, stall, attempts, retryBackoff, progressInterval, log);
    }
  }

  /**
   * @param endpoint the Hub's base URL, e.g. {@code https://huggingface.co}
   * @param token a user access token, or null for anonymous access
   * @param cacheDir the cache root ({@code HF_HUB_CACHE})
   * @param offline when true no request is made and only cached files are returned
   */
  public HfHub(URI endpoint, String token, Path cacheDir, boolean offline) {
    this(endpoint, token, cacheDir, offline, Options.defaults());
  }

  public HfHub(URI endpoint, String token, Path cacheDir, boolean offline, Options options) {
    String base = endpoint.toString();
    this.endpoint = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    this.token = token == null || token.isBlank() ? null : token.trim();
    this.cache = new HubCache(cacheDir.toAbsolutePath());
    this.offline = offline;
    this.options = options;
    this.http =
        new HubHttp(
            this.endpoint,
            this.token,
            options.connectTimeout(),
            options.requestTimeout(),
            options.attempts(),
            options.retryBackoff());
    this.downloader =
        new BlobDownloader(
            http,
            options.attempts(),
            options.stallTimeout(),
            options.progressInterval(),
            options.log());
  }

  /** A client configured from the process environment, like the Python client. */
  public static HfHub fromEnvironment() {
    return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /** A client configured from {@code env}, with {@code home} as the user's home directory. */
  public static HfHub fromEnvironment(Map<String, String> env, Path home) {
    URI endpoint = URI.create(nonBlank(env.get("HF_ENDPOINT")).orElse(DEFAULT_ENDPOINT.toString()));
    Path hfHome =
        nonBlank(env.get("HF_HOME"))
            .map(Path::of)
            .orElseGet(
                () ->
                    nonBlank(env.get("XDG_CACHE_HOME"))
                        .map(Path::of)
                        .orElse(home.resolve(".cache"))
                        .resolve("huggingface"));
    Path cacheDir =
        nonBlank(env.get("HF_HUB_CACHE"))
            .or(() -> nonBlank(env.get("HUGGINGFACE_HUB_CACHE")))
            .map(Path::of)
            .orElse(hfHome.resolve("hub"));
    String token =
        nonBlank(env.get("HF_TOKEN"))
            .or(() -> nonBlank(env.get("HUGGING_FACE_HUB_TOKEN")))
            .or(
                () ->
                    readTokenFile(
                        nonBlank(env.get("HF_TOKEN_PATH"))
                            .map(Path::of)
                            .orElse(hfHome.resolve("token"))))
            .orElse(null);
    boolean offline = isTrue(env.get("HF_HUB_OFFLINE"));
    return new HfHub(endpoint, token, cacheDir, offline);
  }

  /** The same client with other timeouts, retries or progress sink. */
  public HfHub withOptions(Options newOptions) {
    return new HfHub(endpoint, token, cache.root(), offline, newOptions);
  }

  public URI endpoint() {
    return endpoint;
  }

  public Path cacheDir() {
    return cache.root();
  }

  public boolean isOffline() {
    return offline;
  }

  public boolean hasToken() {
    return token != null;
  }

  /**
   * The paths of all files in a repository at {@code revision} (null: {@code main}), sorted.
   * Offline, or when the Hub cannot be reached, the files of the cached snapshot are listed.
   */
  public List<String> listFiles(RepoType type, String repoId, String revision) throws IOException {
    String rev = revision == null ? "main" : revision;
    HubCache.checkRepoId(repoId);
    HubCache.checkRelative("revision", rev);
    HubTarget target = new HubTarget(type, repoId, rev, null);
    if (offline) {
      return cachedListing(type, repoId, rev)
          .orElseThrow(() -> offlineMiss(target, "no cached snapshot"));
    }
    List<String> files;
    try {
      URI uri = apiUri(type, repoId, "revision/" + encode(rev));
      JsonNode info = parse(http.getText(uri, target), uri);
      JsonNode siblings = info.get("siblings");
      files =
          siblings != null && siblings.isArray()
              ? siblingNames(siblings, uri)
              : treeListing(type, repoId, rev, target);
    } catch (HfHubUnreachableException e) {
      Optional<List<String>> cached = cachedListing(type, repoId, rev);
      if (cached.isEmpty()) {
        throw e;
      }
      options
          .log()
          .accept(e.getMessage() + "; listing the cached snapshot of " + repoId + " instead");
      return cached.get();
    }
    return files.stream().sorted().toList();
  }

  /**
   * The local path of {@code filename} in a repository at {@code revision} (null: {@code main}),
   * downloaded into the cache unless the cache already has that version. Offline, or when the Hub
   * cannot be reached, a cached copy is returned if there is one.
   */
  public Path download(RepoType type, String repoId, String revision, String filename)
      throws IOException {
    String rev = revision == null ? "main" : revision;
    HubCache.checkRepoId(repoId);
    HubCache.checkRelative("revision", rev);
    HubCache.checkRelative("file name", filename);
    HubTarget target = new HubTarget(type, repoId, rev, filename);
    Path repoDir = cache.repoDir(type, repoId);
    Optional<Path> cached = cache.cachedFile(repoDir, rev, filename);
    if (offline) {
      return cached.orElseThrow(() -> offlineMiss(target, "not in the cache"));
    }
    if (cached.isPresent() && HubCache.isCommit(rev)) {
      return cached.get(); // a commit never changes: no need to ask
    }
    URI url = resolveUri(type, repoId, rev, filename);
    FileMetadata meta;
    try {
      meta = FileMetadata.of(http.head(url, target), rev);
    } catch (HfHubUnreachableException e) {
      if (cached.isEmpty()) {
        throw e;
      }
      options.log().accept(e.getMessage() + "; using the cached " + repoId + "/" + filename);
      return cached.get();
    }
    if (meta.etag() == null) {
      // Without an ETag a cached copy could never be told apart from a changed file.
      throw new HfHubException(
          endpoint
              + " sent no ETag for "
              + target.describe()
              + ": HF_ENDPOINT must point at the Hub or a Hub-compatible mirror");
    }
    String blobName = meta.etag();
    Path blob = cache.blob(repoDir, blobName);
    Path result;
    try (FileLockHandle ignored = lock(cache.lockFile(type, repoId, blobName))) {
      if (!isComplete(blob, meta.size())) {
        Path partial = cache.incomplete(repoDir, blobName);
        Files.createDirectories(partial.getParent());
        downloader.download(url, partial, ContentCheck.forEtag(meta.etag(), meta.size()), target);
        Files.move(
            partial, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        cache.share(blob);
      }
      Path snapshotFile = cache.snapshotDir(repoDir, meta.commit()).resolve(filename);
      result =
          pointsAt(snapshotFile, blob)
              ? snapshotFile
              : cache.link(repoDir, meta.commit(), filename, blob);
    }
    cache.writeRef(repoDir, rev, meta.commit());
    return result;
  }

  /**
   * Downloads every file of a repository that {@code include} accepts and returns the snapshot
   * folder holding them (the layout of the repository).
   */
  public Path downloadAll(RepoType type, String repoId, String revision, Predicate<String> include)
      throws IOException {
    Path snapshot = null;
    List<String> files = listFiles(type, repoId, revision).stream().filter(include).toList();
    if (files.isEmpty()) {
      throw new HfHubException(
          type.noun() + " '" + repoId + "' has no files matching the selection");
    }
    for (String file : files) {
      Path local = download(type, repoId, revision, file);
      Path root = snapshotRoot(local, file);
      if (snapshot != null && !snapshot.equals(root)) {
        throw new HfHubException(
            "revision '"
                + revision
                + "' of "
                + repoId
                + " moved while downloading; pin a commit hash and retry");
      }
      snapshot = root;
    }
    return snapshot;
  }

  private static Path snapshotRoot(Path local, String file) {
    Path root = local;
    for (int i = 0; i < Path.of(file).getNameCount(); i++) {
      root = root.getParent();
    }
    return root;
  }

  private Optional<List<String>> cachedListing(RepoType type, String repoId, String rev)
      throws IOException {
    Path repoDir = cache.repoDir(type, repoId);
    Optional<String> commit = cache.commitFor(repoDir, rev);
    if (commit.isEmpty()) {
      return Optional.empty();
    }
    Path dir = cache.snapshotDir(repoDir, commit.get());
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return Optional.of(
          walk.filter(Files::isRegularFile)
              .filter(p -> !AtomicFiles.isTemporary(p))
              .map(p -> dir.relativize(p).toString().replace('\\', '/'))
              .sorted()
              .toList());
    }
  }

  private List<String> siblingNames(JsonNode siblings, URI uri) throws HfHubException {
    List<String> names = new ArrayList<>();
    for (JsonNode s : siblings) {
      JsonNode name = s.get("rfilename");
      if (name == null || !name.isTextual()) {
        throw new HfHubException(
            "unexpected answer from " + uri + ": a sibling without 'rfilename'");
      }
      names.add(name.asText());
    }
    return names;
  }

  /** The tree API, for servers whose repository info has no file list: recursive and paginated. */
  private List<String> treeListing(RepoType type, String repoId, String rev, HubTarget target)
      throws IOException {
    List<String> names = new ArrayList<>();
    URI next =
        URI.create(apiUri(type, repoId, "tree/" + encode(rev)) + "?recursive=true&expand=false");
    for (int page = 0; next != null; page++) {
      if (page > 100_000) {
        throw new HfHubException("the file listing of " + repoId + " does not end");
      }
      HttpResponse<String> response = http.getText(next, target);
      JsonNode entries = parse(response, next);
      if (!entries.isArray()) {
        throw new HfHubException(
            "unexpected answer from " + next + ": expected a JSON array of entries");
      }
      for (JsonNode e : entries) {
        if ("file".equals(e.path("type").asText()) && e.hasNonNull("path")) {
          names.add(e.get("path").asText());
        }
      }
      URI current = next;
      next =
          response.headers().allValues("Link").stream()
              .map(NEXT_LINK::matcher)
              .filter(Matcher::find)
              .map(m -> current.resolve(m.group(1)))
              .findFirst()
              .orElse(null);
    }
    return names;
  }

  private static JsonNode parse(HttpResponse<String> response, URI uri) throws HfHubException {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new HfHubException(
          "unexpected answer from " + uri + ": not JSON (" + e.getMessage() + ")", e);
    }
  }

  private URI apiUri(RepoType type, String repoId, String rest) {
    return URI.create(endpoint + "/api/" + type.apiSegment() + "/" + repoId + "/" + rest);
  }

  private URI resolveUri(RepoType type, String repoId, String rev, String filename) {
    StringBuilder path = new StringBuilder();
    for (String part : filename.split("/")) {
      path.append('/').append(encode(part));
    }
    return URI.create(
        endpoint + "/" + type.resolvePrefix() + repoId + "/resolve/" + encode(rev) + path);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private HfHubException offlineMiss(HubTarget target, String what) {
    return new HfHubException(
        target.describe()
            + " at revision '"
            + target.revision()
            + "': "
            + what
            + " under "
            + cache.root()
            + ", and HF_HUB_OFFLINE is set; download it once with network access or unset HF_HUB_OFFLINE");
  }

  private static boolean isComplete(Path blob, long size) throws IOException {
    return Files.isRegularFile(blob) && (size < 0 || Files.size(blob) == size);
  }

  private static boolean pointsAt(Path snapshotFile, Path blob) throws IOException {
    if (!Files.exists(snapshotFile)) {
      return false;
    }
    if (!Files.isSymbolicLink(snapshotFile)) {
      return !Files.exists(blob); // the blob was moved here on a filesystem without links
    }
    return Files.isSameFile(snapshotFile, blob);
  }

  /**
   * Serialises work on one blob across threads (a map of locks) and processes (a file lock). Some
   * network filesystems refuse file locks; there the download goes ahead with the in-process lock
   * only, since the atomic rename still keeps readers from seeing a partial file.
   */
  private FileLockHandle lock(Path lockFile) throws IOException {
    Files.createDirectories(lockFile.getParent());
    ReentrantLock local =
        LOCAL_LOCKS.computeIfAbsent(lockFile.toAbsolutePath(), p -> new ReentrantLock());
    local.lock();
    FileChannel channel = null;
    try {
      channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      cache.share(lockFile);
      return new FileLockHandle(local, channel, channel.lock());
    } catch (IOException e) {
      if (channel != null) {
        channel.close();
      }
      options
          .log()
          .accept(
              "cannot lock "
                  + lockFile
                  + " ("
                  + e.getMessage()
                  + "); downloading without a cross-process lock");
      return new FileLockHandle(local, null, null);
    } catch (RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      local.unlock();
      throw e;
    }
  }

  private record FileLockHandle(ReentrantLock local, FileChannel channel, FileLock fileLock)
      implements AutoCloseable {
    @Override
    public void close() throws IOException {
      try {
        if (fileLock != null) {
          fileLock.release();
          channel.close();
        }
      } finally {
        local.unlock();
      }
    }
  }

  private static Optional<String> nonBlank(String v) {
    return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
  }

  private static Optional<String> readTokenFile(Path file) {
    try {
      return Files.isRegularFile(file)
          ? nonBlank(Files.readString(file, StandardCharsets.UTF_8))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static boolean isTrue(String v) {
    return v != null
        && List.of("1", "on", "yes", "true").contains(v.trim().toLowerCase(Locale.ROOT));
  }

  /** What a {@code HEAD} of a file URL says about it. */
  private record FileMetadata(String commit, String etag, long size) {
    static FileMetadata of(HttpResponse<Void> head, String revision) {
      var h = head.headers();
      String commit =
          h.firstValue("X-Repo-Commit")
              .map(String::trim)
              .filter(c -> !c.isEmpty())
              .orElse(revision);
      String etag =
          h.firstValue("X-Linked-Etag")
              .or(() -> h.firstValue("ETag"))
              .map(FileMetadata::cleanEtag)
              .orElse(null);
      long size =
          h.firstValue("X-Linked-Size")
              .or(() -> isRedirect(head) ? Optional.empty() : h.firstValue("Content-Length"))
              .map(FileMetadata::parseSize)
              .orElse(-1L);
      return new FileMetadata(commit, etag, size);
    }

    private static boolean isRedirect(HttpResponse<?> r) {
      return r.statusCode() >= 300 && r.statusCode() < 400;
    }

    private static long parseSize(String v) {
      try {
        return Long.parseLong(v.trim());
      } catch (NumberFormatException e) {
        return -1;
      }
    }

    private static String cleanEtag(String raw) {
      String e = raw.trim();
      if (e.startsWith("W/")) {
        e = e.substring(2);
      }
      e = e.replace("\"", "");
      // The etag names a file in the cache: keep it to characters that are safe everywhere.
      return e.isEmpty() || !e.matches("[A-Za-z0-9._\\-]+") ? null : e;
    }
  }

  @Override
  public String toString() {
    return "HfHub["
        + endpoint
        + ", cache "
        + cache.root()
        + (offline ? ", offline" : "")
        + (token != null ? ", token" : "")
        + "]";
  }
}
