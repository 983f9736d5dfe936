package dev.speculators.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The few vLLM HTTP endpoints the evaluation reads besides the OpenAI API (which GuideLLM drives):
 * {@code /health}, {@code /metrics}, {@code /version}, {@code /v1/models}. Every call has a
 * timeout; an unanswered call becomes an {@link EvalException} naming the URL.
 */
public final class VllmClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final Duration requestTimeout;
  private final HttpClient client;

  /** {@code endpoint} may end in {@code /v1}; the server root is derived from it. */
  public VllmClient(String endpoint, Duration requestTimeout) {
    this.base = URI.create(serverRoot(endpoint));
    this.requestTimeout = requestTimeout;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(requestTimeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /**
   * {@code http://host:8000/v1/} and {@code http://host:8000} both give {@code http://host:8000}.
   */
  public static String serverRoot(String endpoint) {
    String s = endpoint.strip();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.endsWith("/v1")) {
      s = s.substring(0, s.length() - 3);
    }
    URI uri = URI.create(s);
    if (uri.getScheme() == null
        || uri.getHost() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
      throw new IllegalArgumentException("endpoint '" + endpoint + "': expected http://HOST:PORT");
    }
    return s;
  }

  public URI base() {
    return base;
  }

  /**
   * Polls {@code /health} until it answers 200, or throws when {@code timeout} passes. The last
   * failure (connection refused, HTTP 503, ...) goes into the message.
   */
  public void awaitHealthy(Duration timeout, Duration interval, Consumer<String> log)
      throws EvalException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer yet";
    long nextReport = System.nanoTime();
    while (true) {
      try {
        HttpResponse<String> r = get("/health");
        if (r.statusCode() == 200) {
          return;
        }
        last = "HTTP " + r.statusCode();
      } catch (IOException e) {
        last = describe(e);
      }
      long now = System.nanoTime();
      if (now >= deadline) {
        throw new EvalException(
            "vLLM at "
                + base
                + " did not become healthy within "
                + timeout.toSeconds()
                + " s (GET /health: "
                + last
                + ")");
      }
      if (now >= nextReport) {
        log.accept("waiting for vLLM at " + base + "/health (" + last + ")");
        nextReport = now + Duration.ofSeconds(30).toNanos();
      }
      sleep(Math.min(interval.toNanos(), deadline - now));
    }
  }

  /** The Prometheus text of {@code /metrics}. */
  public String metrics() throws EvalException {
    try {
      HttpResponse<String> r = get("/metrics");
      if (r.statusCode() != 200) {
        throw new EvalException(
            "vLLM at " + base + " answered HTTP " + r.statusCode() + " to GET /metrics");
      }
      return r.body();
    } catch (IOException e) {
      throw new EvalException(
          "vLLM at " + base + " did not answer GET /metrics: " + describe(e), e);
    }
  }

  /** The server's version from {@code /version}, when it says. */
  public Optional<String> version() {
    try {
      HttpResponse<String> r = get("/version");
      if (r.statusCode() == 200) {
        JsonNode v = JSON.readTree(r.body()).path("version");
        return v.isTextual() ? Optional.of(v.asText()) : Optional.empty();
      }
    } catch (IOException | EvalException e) {
      // an old or stripped-down server: the version is informative only
    }
    return Optional.empty();
  }

  /** The served model names from {@code /v1/models}; empty when the call fails. */
  public List<String> models() {
    List<String> ids = new ArrayList<>();
    try {
      HttpResponse<String> r = get("/v1/models");
      if (r.statusCode() == 200) {
        for (JsonNode m : JSON.readTree(r.body()).path("data")) {
          if (m.path("id").isTextual()) {
            ids.add(m.path("id").asText());
          }
        }
      }
    } catch (IOException | EvalException e) {
      // informative only
    }
    return ids;
  }

  private HttpResponse<String> get(String path) throws IOException, EvalException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(requestTimeout).GET().build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EvalException("interrupted while calling " + request.uri(), e);
    }
  }

  private static String describe(IOException e) {
    String name = e.getClass().getSimpleName();
    if (e instanceof java.net.http.HttpTimeoutException) {
      return "timed out";
    }
    if (e instanceof java.net.ConnectException) {
      return "connection refused";
    }
    return name + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  private static void sleep(long nanos) throws EvalException {
    try {
      Thread.sleep(Math.max(1, nanos / 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EvalException("interrupted while waiting for vLLM", e);
    }
  }
}
