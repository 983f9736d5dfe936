package dev.speculators.io.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-test Hugging Face Hub that speaks the parts of the protocol the client uses: repository
 * info with siblings (or the paginated tree API), {@code HEAD}/{@code GET} of {@code resolve} URLs
 * with {@code X-Repo-Commit}, git-blob ETags for small files, LFS files redirected to a "CDN" path
 * with {@code X-Linked-Etag}/{@code X-Linked-Size}, byte ranges, gated repositories and Hub error
 * codes. It can cut a download short to exercise resuming.
 */
public final class FakeHubServer implements AutoCloseable {
  /** One request as the server saw it. */
  public record Seen(String method, String path, String authorization, String range) {}

  private record Repo(String commit, Map<String, byte[]> files, Map<String, Boolean> lfs) {}

  private final HttpServer server;
  private final ExecutorService executor;
  private final Map<String, Repo> repos = new ConcurrentHashMap<>();
  private final Map<String, String> gated = new ConcurrentHashMap<>();
  private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger cutsLeft = new AtomicInteger();
  private volatile long cutAfter = -1;
  private volatile boolean treeApiOnly;
  private volatile long stallMillis;

  public FakeHubServer() throws IOException {
    // All interfaces, so that "localhost" (the CDN's host name) and 127.0.0.1 (the Hub's) both
    // reach it.
    server = HttpServer.create(new InetSocketAddress(0), 0);
    server.createContext("/", this::handle);
    executor = Executors.newCachedThreadPool();
    server.setExecutor(executor);
    server.start();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Adds a file; {@code lfs} files are served through the CDN redirect with a SHA-256 ETag. */
  public FakeHubServer addFile(
      RepoType type, String repoId, String filename, byte[] content, boolean lfs) {
    Repo repo =
        repos.computeIfAbsent(
            key(type, repoId),
            k ->
                new Repo(
                    hex("SHA-1", k.getBytes(StandardCharsets.UTF_8)),
                    new ConcurrentHashMap<>(),
                    new ConcurrentHashMap<>()));
    repo.files().put(filename, content);
    repo.lfs().put(filename, lfs);
    return this;
  }

  public FakeHubServer addFile(RepoType type, String repoId, String filename, String content) {
    return addFile(type, repoId, filename, content.getBytes(StandardCharsets.UTF_8), false);
  }

  /** Requests for this repository need {@code Authorization: Bearer token}. */
  public FakeHubServer gate(RepoType type, String repoId, String token) {
    gated.put(key(type, repoId), token);
    return this;
  }

  /** The next {@code times} file bodies end (connection closed) after {@code bytes} bytes. */
  public FakeHubServer cutDownloads(long bytes, int times) {
    cutAfter = bytes;
    cutsLeft.set(times);
    return this;
  }

  /** The next {@code times} file bodies pause for {@code millis} after {@code bytes} bytes. */
  public FakeHubServer stallDownloads(long bytes, int times, long millis) {
    cutDownloads(bytes, times);
    stallMillis = millis;
    return this;
  }

  /** Repository info without {@code siblings}, so clients must use the tree API (2 per page). */
  public FakeHubServer treeApiOnly() {
    treeApiOnly = true;
    return this;
  }

  public String commitOf(RepoType type, String repoId) {
    return repos.get(key(type, repoId)).commit();
  }

  public List<Seen> requests() {
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  public void clearRequests() {
    seen.clear();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private static String key(RepoType type, String repoId) {
    return type.apiSegment() + "/" + repoId;
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = URLDecoder.decode(ex.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
    seen.add(
        new Seen(
            ex.getRequestMethod(), ex.getRequestURI().toString(),
            ex.getRequestHeaders().getFirst("Authorization"),
                ex.getRequestHeaders().getFirst("Range")));
    try {
      if (path.startsWith("/cdn/")) {
        serveCdn(ex, path.substring(5));
      } else if (path.startsWith("/api/")) {
        serveApi(ex, path.substring(5));
      } else {
        serveResolve(ex, path.substring(1));
      }
    } finally {
      ex.close();
    }
  }

  private void serveApi(HttpExchange ex, String rest) throws IOException {
    // {models|datasets}/{org}/{name}/(revision|tree)/{rev}
    String[] p = rest.split("/", 5);
    if (p.length < 5) {
      error(ex, 404, "RepoNotFound");
      return;
    }
    RepoType type = p[0].equals("datasets") ? RepoType.DATASET : RepoType.MODEL;
    String repoId = p[1] + "/" + p[2];
    Repo repo = repos.get(key(type, repoId));
    if (!allowed(ex, type, repoId, repo)) {
      return;
    }
    String rev = p[4];
    if (!rev.equals("main") && !rev.equals(repo.commit())) {
      error(ex, 404, "RevisionNotFound");
      return;
    }
    ObjectMapper json = new ObjectMapper();
    List<String> names = new ArrayList<>(new TreeMap<>(repo.files()).keySet());
    if (p[3].equals("revision")) {
      ObjectNode info = json.createObjectNode().put("id", repoId).put("sha", repo.commit());
      if (!treeApiOnly) {
        ArrayNode siblings = info.putArray("siblings");
        names.forEach(n -> siblings.addObject().put("rfilename", n));
      }
      send(ex, 200, json.writeValueAsBytes(info));
      return;
    }
    int cursor = 0;
    String query = ex.getRequestURI().getRawQuery();
    if (query != null && query.contains("cursor=")) {
      cursor = Integer.parseInt(query.replaceAll(".*cursor=(\\d+).*", "$1"));
    }
    ArrayNode page = json.createArrayNode();
    page.addObject().put("type", "directory").put("path", "somedir");
    for (int i = cursor; i < Math.min(cursor + 2, names.size()); i++) {
      page.addObject().put("type", "file").put("path", names.get(i));
    }
    if (cursor + 2 < names.size()) {
      ex.getResponseHeaders()
          .set(
              "Link",
              "</api/"
                  + rest
                  + "?recursive=true&expand=false&cursor="
                  + (cursor + 2)
                  + ">; rel=\"next\"");
    }
    send(ex, 200, json.writeValueAsBytes(page));
  }

  private void serveResolve(HttpExchange ex, String rest) throws IOException {
    RepoType type = RepoType.MODEL;
    if (rest.startsWith("datasets/")) {
      type = RepoType.DATASET;
      rest = rest.substring("datasets/".length());
    }
    // {org}/{name}/resolve/{rev}/{file...}
    String[] p = rest.split("/", 5);
    if (p.length < 5 || !p[2].equals("resolve")) {
      error(ex, 404, "RepoNotFound");
      return;
    }
    String repoId = p[0] + "/" + p[1];
    Repo repo = repos.get(key(type, repoId));
    if (!allowed(ex, type, repoId, repo)) {
      return;
    }
    if (!p[3].equals("main") && !p[3].equals(repo.commit())) {
      error(ex, 404, "RevisionNotFound");
      return;
    }
    byte[] content = repo.files().get(p[4]);
    if (content == null) {
      error(ex, 404, "EntryNotFound");
      return;
    }
    ex.getResponseHeaders().set("X-Repo-Commit", repo.commit());
    if (repo.lfs().get(p[4])) {
      String sha = hex("SHA-256", content);
      ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
      ex.getResponseHeaders().set("X-Linked-Size", Long.toString(content.length));
      ex.getResponseHeaders().set("ETag", "\"some-other-etag\"");
      // Another host name for the same server: the client must not send the token there.
      ex.getResponseHeaders()
          .set("Location", "http://localhost:" + server.getAddress().getPort() + "/cdn/" + sha);
      ex.sendResponseHeaders(302, -1);
      return;
    }
    byte[] header = ("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII);
    byte[] both = new byte[header.length + content.length];
    System.arraycopy(header, 0, both, 0, header.length);
    System.arraycopy(content, 0, both, header.length, content.length);
    ex.getResponseHeaders().set("ETag", "\"" + hex("SHA-1", both) + "\"");
    serveBody(ex, content);
  }

  private void serveCdn(HttpExchange ex, String sha) throws IOException {
    for (Repo repo : repos.values()) {
      for (byte[] content : repo.files().values()) {
        if (hex("SHA-256", content).equals(sha)) {
          ex.getResponseHeaders().set("ETag", "\"cdn-" + sha.substring(0, 8) + "\"");
          serveBody(ex, content);
          return;
        }
      }
    }
    send(ex, 404, new byte[0]);
  }

  private void serveBody(HttpExchange ex, byte[] content) throws IOException {
    ex.getResponseHeaders().set("Accept-Ranges", "bytes");
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.getResponseHeaders().set("Content-Length", Long.toString(content.length));
      ex.sendResponseHeaders(200, -1);
      return;
    }
    int from = 0;
    String range = ex.getRequestHeaders().getFirst("Range");
    int status = 200;
    if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
      from = Integer.parseInt(range.substring(6, range.length() - 1));
      if (from >= content.length) {
        ex.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
        ex.sendResponseHeaders(416, -1);
        return;
      }
      status = 206;
      ex.getResponseHeaders()
          .set(
              "Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
    }
    int length = content.length - from;
    ex.sendResponseHeaders(status, length);
    OutputStream out = ex.getResponseBody();
    if (cutAfter >= 0 && cutsLeft.getAndDecrement() > 0 && cutAfter < length) {
      out.write(content, from, (int) cutAfter);
      out.flush();
      try {
        // let the bytes arrive before the connection drops (a close can discard data in flight)
        Thread.sleep(stallMillis > 0 ? stallMillis : 50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // Closing the exchange with bytes missing makes the server drop the connection.
      return;
    }
    out.write(content, from, length);
  }

  private boolean allowed(HttpExchange ex, RepoType type, String repoId, Repo repo)
      throws IOException {
    String token = gated.get(key(type, repoId));
    if (token != null
        && !("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      error(ex, 401, "GatedRepo");
      return false;
    }
    if (repo == null) {
      error(ex, 404, "RepoNotFound");
      return false;
    }
    return true;
  }

  private static void error(HttpExchange ex, int status, String code) throws IOException {
    ex.getResponseHeaders().set("X-Error-Code", code);
    send(ex, status, ("{\"error\":\"" + code + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    ex.getResponseBody().write(body);
  }

  static String hex(String algorithm, byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
