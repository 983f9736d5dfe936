package dev.speculators.datagen;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.speculators.datagen.chat.ChatTemplate;
import dev.speculators.datagen.chat.TemplateRenderException;
import dev.speculators.datagen.chat.TemplateTokenizerRenderer;
import dev.speculators.datagen.chat.TokenizerConfig;
import dev.speculators.datagen.vllm.Flock;
import dev.speculators.io.HostTensor;
import dev.speculators.io.SafeTensors;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-test stand-in for a vLLM server running {@code extract_hidden_states} with the {@code
 * ExampleHiddenStatesConnector}: {@code /v1/models}, {@code /version}, {@code /tokenize} (backed by
 * the real Java template renderer and a real tokenizer), and {@code /v1/completions}, which takes
 * {@code flock(LOCK_EX)} on {@code <file>.lock} before answering, writes the safetensors file in
 * two halves while holding the lock, and releases it {@link #holdMillis} later — as the connector
 * does. Hidden-state values are a pure function of (token id, position, layer, channel), see {@link
 * #value}, so tests can check every written value.
 */
final class FakeVllmServer implements AutoCloseable {
  static final String MODEL = "fake-target";
  static final String VERSION = "0.18.1+fake";
  private static final ObjectMapper JSON = new ObjectMapper();

  final Path stagingDir;
  final String serverDir;
  final int layers;
  final int hidden;
  volatile long holdMillis = 30;

  /** After this many successful completions every completion answers HTTP 500 (a dying server). */
  volatile int failAfter = Integer.MAX_VALUE;

  /** HTTP status for every completion when non-zero. */
  volatile int completionStatus = 0;

  /** The next this many staging files are cut short (a crashed writer). */
  final AtomicInteger truncateNext = new AtomicInteger();

  /** The next this many staging files claim other token ids. */
  final AtomicInteger wrongTokensNext = new AtomicInteger();

  /** Answer /v1/completions after this many ms (slow server). */
  volatile long completionDelayMillis = 0;

  final AtomicInteger completions = new AtomicInteger();
  final AtomicInteger tokenizeCalls = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong ids = new AtomicLong();
  final Set<String> lockedFiles = ConcurrentHashMap.newKeySet();

  private final HttpServer server;
  private final ExecutorService writers = Executors.newCachedThreadPool();
  private final ExecutorService handlers = Executors.newFixedThreadPool(16);
  private final HuggingFaceTokenizer tokenizer;
  private final TokenizerConfig tokenizerConfig;
  private final Map<String, TemplateTokenizerRenderer> renderers = new ConcurrentHashMap<>();

  /**
   * @param modelDir a model directory with tokenizer.json and tokenizer_config.json
   * @param serverDir the directory vLLM reports in paths (need not exist here)
   */
  FakeVllmServer(Path modelDir, Path stagingDir, String serverDir, int layers, int hidden)
      throws IOException {
    this.stagingDir = stagingDir;
    this.serverDir = serverDir;
    this.layers = layers;
    this.hidden = hidden;
    Files.createDirectories(stagingDir);
    try (InputStream in = Files.newInputStream(modelDir.resolve("tokenizer.json"))) {
      this.tokenizer =
          HuggingFaceTokenizer.newInstance(
              in, Map.of("addSpecialTokens", "false", "truncation", "false"));
    }
    this.tokenizerConfig = TokenizerConfig.read(modelDir);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.setExecutor(handlers);
    server.createContext("/v1/models", ex -> handle(ex, this::models));
    server.createContext(
        "/version", ex -> handle(ex, b -> JSON.createObjectNode().put("version", VERSION)));
    server.createContext("/tokenize", ex -> handle(ex, this::tokenize));
    server.createContext("/v1/completions", ex -> handle(ex, this::complete));
    server.start();
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** The hidden-state value the fake model produces. */
  static float value(long token, int position, int layer, int channel) {
    long x = token * 31 + position * 7L + layer * 1000L + channel * 13L;
    return (Math.floorMod(x, 997) - 498) / 97.0f;
  }

  private interface Handler {
    Object apply(JsonNode body) throws Exception;
  }

  /** An answer with a status other than 200. */
  private record Status(int code, String body) {}

  private void handle(HttpExchange ex, Handler h) throws IOException {
    Object out;
    int status = 200;
    try {
      JsonNode body = null;
      if ("POST".equals(ex.getRequestMethod())) {
        body = JSON.readTree(ex.getRequestBody().readAllBytes());
      }
      out = h.apply(body);
      if (out instanceof Status s) {
        status = s.code();
        out = JSON.createObjectNode().put("error", s.body());
      }
    } catch (Exception e) {
      status = 500;
      out = JSON.createObjectNode().put("error", String.valueOf(e));
    }
    byte[] bytes = JSON.writeValueAsBytes(out);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(bytes);
    }
  }

  private Object models(JsonNode body) {
    ObjectNode root = JSON.createObjectNode().put("object", "list");
    root.putArray("data")
        .addObject()
        .put("id", MODEL)
        .put("root", "/models/target")
        .put("max_model_len", 4096);
    return root;
  }

  private Object tokenize(JsonNode body) throws Exception {
    tokenizeCalls.incrementAndGet();
    if (!body.path("add_special_tokens").isBoolean()
        || body.get("add_special_tokens").asBoolean()) {
      return new Status(400, "expected add_special_tokens: false");
    }
    if (!MODEL.equals(body.path("model").asText())) {
      return new Status(404, "model " + body.path("model").asText() + " does not exist");
    }
    Map<String, Object> kwargs =
        body.has("chat_template_kwargs")
            ? JSON.convertValue(body.get("chat_template_kwargs"), new TypeReference<>() {})
            : Map.of();
    TemplateTokenizerRenderer r =
        renderers.computeIfAbsent(
            new TreeMap<>(kwargs).toString(),
            k ->
                new TemplateTokenizerRenderer(
                    new ChatTemplate(
                        tokenizerConfig.chatTemplate(), tokenizerConfig.specialTokens()),
                    tokenizer,
                    kwargs,
                    "fake"));
    List<Map<String, Object>> messages =
        JSON.convertValue(body.get("messages"), new TypeReference<>() {});
    long[] tokens;
    try {
      tokens = r.render(messages, body.path("add_generation_prompt").asBoolean(true));
    } catch (TemplateRenderException e) {
      return new Status(400, e.getMessage());
    }
    ObjectNode out = JSON.createObjectNode().put("count", tokens.length).put("max_model_len", 4096);
    ArrayNode t = out.putArray("tokens");
    for (long id : tokens) {
      t.add(id);
    }
    return out;
  }

  private Object complete(JsonNode body) throws Exception {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try {
      if (completionDelayMillis > 0) {
        Thread.sleep(completionDelayMillis);
      }
      if (completionStatus != 0) {
        return new Status(completionStatus, "injected failure");
      }
      if (body.path("max_tokens").asInt() != 1
          || !body.path("return_token_ids").asBoolean()
          || !MODEL.equals(body.path("model").asText())
          || !body.path("prompt").isArray()) {
        return new Status(400, "unexpected request " + body);
      }
      if (completions.get() >= failAfter) {
        return new Status(500, "injected server failure");
      }
      long[] prompt = new long[body.get("prompt").size()];
      for (int i = 0; i < prompt.length; i++) {
        prompt[i] = body.get("prompt").get(i).asLong();
      }
      String req = "req-" + ids.incrementAndGet();
      Path file = stagingDir.resolve(req + ".safetensors");
      Path lock = stagingDir.resolve(req + ".safetensors.lock");
      Flock held = Flock.exclusive(lock, 5000);
      lockedFiles.add(lock.toString());
      boolean truncate = truncateNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
      boolean wrong = !truncate && wrongTokensNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
      writers.execute(() -> writeStaging(file, held, prompt, truncate, wrong));
      completions.incrementAndGet();
      ObjectNode out =
          JSON.createObjectNode()
              .put("id", "cmpl-" + req)
              .put("object", "text_completion")
              .put("model", MODEL);
      ObjectNode choice =
          out.putArray("choices")
              .addObject()
              .put("index", 0)
              .put("text", "x")
              .put("finish_reason", "length");
      ArrayNode p = choice.putArray("prompt_token_ids");
      for (long id : prompt) {
        p.add(id);
      }
      out.putObject("kv_transfer_params")
          .put("hidden_states_path", serverDir + "/" + file.getFileName());
      return out;
    } finally {
      inFlight.decrementAndGet();
    }
  }

  /**
   * Writes the file in two halves under the lock, then releases the lock after {@link #holdMillis}.
   */
  private void writeStaging(
      Path file, Flock held, long[] prompt, boolean truncate, boolean wrongTokens) {
    try {
      int s = prompt.length;
      short[] bits = new short[s * layers * hidden];
      for (int t = 0; t < s; t++) {
        for (int j = 0; j < layers; j++) {
          for (int c = 0; c < hidden; c++) {
            bits[(t * layers + j) * hidden + c] = bf16(value(prompt[t], t, j, c));
          }
        }
      }
      long[] tokenIds = prompt.clone();
      if (wrongTokens) {
        tokenIds[0] += 1;
      }
      Path full = stagingDir.resolve(file.getFileName() + ".full");
      SafeTensors.write(
          full,
          Map.of(
              "hidden_states",
              HostTensor.ofBf16Bits(bits, s, layers, hidden),
              "token_ids",
              HostTensor.ofLongs(tokenIds)),
          Map.of("format", "pt"));
      byte[] bytes = Files.readAllBytes(full);
      Files.delete(full);
      int end = truncate ? bytes.length / 2 : bytes.length;
      try (FileChannel ch =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(bytes, 0, end / 2));
        Thread.sleep(holdMillis / 2);
        ch.write(ByteBuffer.wrap(bytes, end / 2, end - end / 2));
      }
      Thread.sleep(holdMillis - holdMillis / 2);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      held.close();
    }
  }

  /** float → bf16 bits, round to nearest even (finite inputs only). */
  static short bf16(float f) {
    int x = Float.floatToRawIntBits(f);
    int rounding = 0x7FFF + ((x >>> 16) & 1);
    return (short) ((x + rounding) >>> 16);
  }

  @Override
  public void close() {
    server.stop(0);
    handlers.shutdownNow();
    writers.shutdownNow();
    tokenizer.close();
  }
}
