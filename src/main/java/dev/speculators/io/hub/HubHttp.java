package dev.speculators.io.hub;

import dev.speculators.BuildInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * HTTP to the Hub: bearer authentication, redirects followed by hand, retries of transient
 * failures, and Hub error responses turned into messages a user can act on.
 *
 * <p>Redirects are followed here rather than by {@link HttpClient} so that the token is only ever
 * sent to the Hub's own host: large files redirect to a CDN with a pre-signed URL, which must not
 * receive (and may reject) a second credential.
 */
final class HubHttp {
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
  private static final Set<Integer> TRANSIENT = Set.of(429, 500, 502, 503, 504);
  private static final int MAX_REDIRECTS = 10;

  private final URI endpoint;
  private final String token;
  private final HttpClient client;
  private final Duration requestTimeout;
  private final int attempts;
  private final Duration backoff;
  private final String userAgent;

  HubHttp(
      URI endpoint,
      String token,
      Duration connectTimeout,
      Duration requestTimeout,
      int attempts,
      Duration backoff) {
    this.endpoint = endpoint;
    this.token = token;
    this.requestTimeout = requestTimeout;
    this.attempts = Math.max(1, attempts);
    this.backoff = backoff;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.userAgent =
        "speculators-operator/" + BuildInfo.version() + "; java/" + Runtime.version().feature();
  }

  URI endpoint() {
    return endpoint;
  }

  boolean hasToken() {
    return token != null;
  }

  /** {@code GET} of a small JSON document, with redirects and retries; the body as a string. */
  HttpResponse<String> getText(URI uri, HubTarget target) throws IOException {
    HttpResponse<String> response =
        withRetries(uri, () -> follow(uri, "GET", -1, true, HttpResponse.BodyHandlers.ofString()));
    failUnlessOk(response.statusCode(), response.headers(), target, response.uri());
    return response;
  }

  /**
   * {@code HEAD} of a file URL. Redirects within the Hub (renamed repositories) are followed; a
   * redirect to another host (the CDN of a large file) is returned as is, because its headers carry
   * the file's metadata ({@code X-Linked-Etag}, {@code X-Linked-Size}).
   */
  HttpResponse<Void> head(URI uri, HubTarget target) throws IOException {
    HttpResponse<Void> response =
        withRetries(
            uri, () -> follow(uri, "HEAD", -1, false, HttpResponse.BodyHandlers.discarding()));
    if (!REDIRECTS.contains(response.statusCode())) {
      failUnlessOk(response.statusCode(), response.headers(), target, response.uri());
    }
    return response;
  }

  /**
   * Opens a {@code GET} of file content from byte {@code from} (0: the whole file). The caller
   * checks for 200 versus 206 and closes the stream. Transient failures are the caller's to retry,
   * because it knows how far the download got.
   */
  HttpResponse<InputStream> openStream(URI uri, long from) throws IOException {
    return follow(uri, "GET", from, true, HttpResponse.BodyHandlers.ofInputStream());
  }

  boolean isTransient(int status) {
    return TRANSIENT.contains(status);
  }

  /** Throws the error a user can act on unless {@code status} is a success. */
  void failUnlessOk(int status, HttpHeaders headers, HubTarget target, URI uri)
      throws HfHubException {
    if (status >= 200 && status < 300) {
      return;
    }
    String errorCode = headers.firstValue("X-Error-Code").orElse("");
    String hubMessage =
        headers.firstValue("X-Error-Message").map(m -> " (Hub: " + m + ")").orElse("");
    if (status == 401 || status == 403 || errorCode.equals("GatedRepo")) {
      String advice =
          token == null
              ? "set HF_TOKEN (secret named by tokenSecretRef in Kubernetes) to a token with access"
              : "set HF_TOKEN (secret named by tokenSecretRef in Kubernetes) to a token with access;"
                  + " the current token was refused, request access on the Hub page first";
      throw new HfHubException(
          target.describe()
              + " is gated or private: "
              + advice
              + " (HTTP "
              + status
              + ")"
              + hubMessage,
          status,
          null);
    }
    if (status == 404) {
      String what =
          switch (errorCode) {
            case "EntryNotFound" -> target.describeMissingFile();
            case "RevisionNotFound" -> target.describeMissingRevision();
            case "RepoNotFound" -> target.describeMissingRepo();
            default -> target.describeNotFound();
          };
      throw new HfHubException(what + hubMessage, status, null);
    }
    throw new HfHubException(
        "the Hub answered HTTP "
            + status
            + " for "
            + target.describe()
            + " ("
            + uri
            + ")"
            + hubMessage,
        status,
        null);
  }

  private <T> HttpResponse<T> follow(
      URI start,
      String method,
      long rangeFrom,
      boolean acrossHosts,
      HttpResponse.BodyHandler<T> handler)
      throws IOException {
    URI uri = start;
    for (int hop = 0; ; hop++) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri)
              .timeout(requestTimeout)
              .header("User-Agent", userAgent)
              .method(method, HttpRequest.BodyPublishers.noBody());
      if (token != null && sameHost(uri, endpoint)) {
        request.header("Authorization", "Bearer " + token);
      }
      if (rangeFrom > 0) {
        request.header("Range", "bytes=" + rangeFrom + "-");
      }
      HttpResponse<T> response = send(request.build(), handler);
      Optional<String> location = response.headers().firstValue("Location");
      if (!REDIRECTS.contains(response.statusCode()) || location.isEmpty()) {
        return response;
      }
      URI next = uri.resolve(location.get());
      if (!acrossHosts && !sameHost(next, uri)) {
        return response;
      }
      if (hop >= MAX_REDIRECTS) {
        throw new HfHubException("too many redirects from " + start);
      }
      discard(response);
      uri = next;
    }
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    try {
      return client.send(request, handler);
    } catch (HttpTimeoutException e) {
      throw new HfHubUnreachableException(
          "no answer from "
              + request.uri().getHost()
              + " within "
              + requestTimeout.toSeconds()
              + " s ("
              + request.method()
              + " "
              + request.uri()
              + ")",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HfHubUnreachableException(
          "interrupted while talking to " + request.uri().getHost(), e);
    } catch (IOException e) {
      throw new HfHubUnreachableException(
          "cannot reach "
              + request.uri().getScheme()
              + "://"
              + request.uri().getAuthority()
              + " ("
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + "); check HF_ENDPOINT, or set HF_HUB_OFFLINE=1 to use only the cache",
          e);
    }
  }

  private static void discard(HttpResponse<?> response) {
    if (response.body() instanceof InputStream in) {
      try {
        in.close();
      } catch (IOException ignored) {
        // the connection is abandoned anyway
      }
    }
  }

  /** Runs {@code call} again after transient failures (connection errors, 429, 5xx). */
  private <T> HttpResponse<T> withRetries(URI uri, Call<T> call) throws IOException {
    HfHubUnreachableException lastFailure = null;
    HttpResponse<T> response = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) {
        pause(attempt - 1);
      }
      try {
        response = call.run();
        lastFailure = null;
        if (!TRANSIENT.contains(response.statusCode())) {
          return response;
        }
      } catch (HfHubUnreachableException e) {
        lastFailure = e;
      }
    }
    if (lastFailure != null) {
      throw lastFailure;
    }
    return Objects.requireNonNull(response, uri.toString());
  }

  /** Exponential backoff between attempts; visible to the downloader for its own retries. */
  void pause(int retry) throws HfHubException {
    long millis = backoff.toMillis() * (1L << Math.min(retry - 1, 6));
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HfHubException("interrupted while waiting to retry", e);
    }
  }

  static boolean sameHost(URI a, URI b) {
    return Objects.equals(a.getScheme(), b.getScheme())
        && Objects.equals(a.getHost(), b.getHost())
        && port(a) == port(b);
  }

  private static int port(URI u) {
    if (u.getPort() >= 0) {
      return u.getPort();
    }
    return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  @FunctionalInterface
  private interface Call<T> {
    HttpResponse<T> run() throws IOException;
  }
}
