package dev.speculators.datagen.vllm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.datagen.GenerationException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The parts of vLLM's OpenAI-compatible HTTP API the datagen worker uses: {@code /v1/models},
 * {@code /version}, {@code /tokenize} (chat form) and {@code /v1/completions} with token-id
 * prompts. Every call has a timeout; failures are {@link GenerationException}s that say whether a
 * retry can help (connection problems, timeouts, 408/429/5xx) or not (other 4xx).
 */
public final class VllmClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final HttpClient http;
  private final Duration requestTimeout;

  /** The result of a prefill-only completion. */
  public record Completion(String hiddenStatesPath, long[] promptTokenIds) {}

  /**
   * @param endpoint the server, e.g. {@code http://localhost:8000} (a trailing {@code /v1} is
   *     accepted and ignored)
   */
  public VllmClient(String endpoint, Duration requestTimeout) {
    String e = endpoint.trim();
    while (e.endsWith("/")) {
      e = e.substring(0, e.length() - 1);
    }
    if (e.endsWith("/v1")) {
      e = e.substring(0, e.length() - 3);
    }
    this.base = URI.create(e + "/");
    if (base.getScheme() == null || base.getHost() == null) {
      throw new IllegalArgumentException("--endpoint " + endpoint + " is not an http(s) URL");
    }
    this.requestTimeout = requestTimeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(
                Duration.ofSeconds(Math.min(10, Math.max(1, requestTimeout.toSeconds()))))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  public URI base() {
    return base;
  }

  /** The served model name ({@code data[0].id} of {@code /v1/models}). */
  public String servedModel() throws GenerationException, InterruptedException {
    JsonNode models = get("v1/models");
    JsonNode data = models.path("data");
    if (!data.isArray() || data.isEmpty() || !data.get(0).hasNonNull("id")) {
      throw new GenerationException(base + "v1/models lists no model: " + models, false, null);
    }
    return data.get(0).get("id").asText();
  }

  /** {@code /version}'s {@code version}, or null when the server does not say. */
  public String version() throws InterruptedException {
    try {
      JsonNode v = get("version");
      return v.hasNonNull("version") ? v.get("version").asText() : null;
    } catch (GenerationException e) {
      return null;
    }
  }

  /**
   * Waits until {@code /v1/models} answers (the server may still be loading), up to {@code
   * timeout}.
   *
   * @return the served model name
   */
  public String awaitReady(Duration timeout, java.util.function.Consumer<String> log)
      throws GenerationException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    GenerationException last = null;
    long lastLog = 0;
    while (true) {
      try {
        return servedModel();
      } catch (GenerationException e) {
        if (!e.retryable()) {
          throw e;
        }
        last = e;
      }
      long now = System.nanoTime();
      if (now >= deadline) {
        throw new GenerationException(
            "vLLM at "
                + base
                + " did not answer within "
                + timeout.toSeconds()
                + " s: "
                + last.getMessage(),
            false,
            last);
      }
      if (now - lastLog > 30_000_000_000L) {
        log.accept("waiting for vLLM at " + base + " (" + last.getMessage() + ")");
        lastLog = now;
      }
      Thread.sleep(1000);
    }
  }

  /** Token ids of a chat rendering by the server's own template and tokenizer. */
  public long[] tokenizeChat(
      String model,
      List<Map<String, Object>> messages,
      boolean addGenerationPrompt,
      Map<String, Object> templateKwargs)
      throws GenerationException, InterruptedException {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", model);
    body.set("messages", JSON.valueToTree(messages));
    body.put("add_generation_prompt", addGenerationPrompt);
    body.put("continue_final_message", false);
    body.put("add_special_tokens", false);
    if (templateKwargs != null && !templateKwargs.isEmpty()) {
      body.set("chat_template_kwargs", JSON.valueToTree(templateKwargs));
    }
    JsonNode r = post("tokenize", body);
    JsonNode tokens = r.get("tokens");
    if (tokens == null || !tokens.isArray()) {
      throw new GenerationException(
          base + "tokenize answered without \"tokens\": " + abbreviate(r.toString()), true, null);
    }
    return longs(tokens);
  }

  /**
   * {@code POST /v1/completions} with the token ids as prompt and {@code max_tokens: 1}: a prefill
   * whose hidden states the server's connector writes to a staging file.
   */
  public Completion prefill(String model, long[] ids)
      throws GenerationException, InterruptedException {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", model);
    ArrayNode prompt = body.putArray("prompt");
    for (long id : ids) {
      prompt.add(id);
    }
    body.put("max_tokens", 1);
    body.put("temperature", 0.0);
    body.put("return_token_ids", true);
    JsonNode r = post("v1/completions", body);
    JsonNode path = r.path("kv_transfer_params").get("hidden_states_path");
    if (path == null || !path.isTextual()) {
      throw new GenerationException(
          "vLLM returned no kv_transfer_params.hidden_states_path (is it started with --kv-transfer-config"
              + " ExampleHiddenStatesConnector and the extract_hidden_states speculative config?): "
              + abbreviate(r.toString()),
          false,
          null);
    }
    JsonNode promptIds = r.path("choices").path(0).get("prompt_token_ids");
    return new Completion(
        path.asText(), promptIds != null && promptIds.isArray() ? longs(promptIds) : null);
  }

  private JsonNode get(String path) throws GenerationException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout).GET().build();
    return send(req, path);
  }

  private JsonNode post(String path, JsonNode body)
      throws GenerationException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(requestTimeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build();
    return send(req, path);
  }

  private JsonNode send(HttpRequest req, String what)
      throws GenerationException, InterruptedException {
    HttpResponse<String> resp;
    try {
      resp = http.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new GenerationException(
          what + ": no answer from " + base + " within " + requestTimeout.toSeconds() + " s",
          true,
          e);
    } catch (ConnectException e) {
      throw new GenerationException(what + ": cannot connect to " + base + " (" + e + ")", true, e);
    } catch (IOException e) {
      throw new GenerationException(what + ": " + e, true, e);
    }
    int status = resp.statusCode();
    if (status != 200) {
      boolean retryable = status == 408 || status == 429 || status >= 500;
      throw new GenerationException(
          what + ": HTTP " + status + " from " + base + ": " + abbreviate(resp.body()),
          retryable,
          null);
    }
    try {
      return JSON.readTree(resp.body());
    } catch (IOException e) {
      throw new GenerationException(
          what + ": answer is not JSON: " + abbreviate(resp.body()), true, e);
    }
  }

  private static long[] longs(JsonNode array) {
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asLong();
    }
    return out;
  }

  static String abbreviate(String s) {
    String t = s == null ? "" : s.replaceAll("\\s+", " ").trim();
    return t.length() > 300 ? t.substring(0, 300) + "..." : t;
  }
}
