package dev.speculators.datagen.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.speculators.datagen.vllm.VllmClient;
import dev.speculators.datagen.vllm.VllmTokenizeRenderer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Rows and loss masks against the rows upstream speculators builds from the same records ({@code
 * <model>/upstream-rows.json}: its own preprocessing run on {@code upstream/conversations.json}
 * with the real tokenizers at sequence length 256), through both renderers: the in-process one
 * (Jinjava + tokenizers) and vLLM's {@code /tokenize}, answered here with what transformers and
 * tokenizers produced for each request this test makes ({@code <model>/tokenize-answers.json}).
 *
 * <p>The documented differences are applied to upstream's rows, each in one place below: the cut at
 * sequence length − 1 ({@link #clip}), one row per conversation for prefix-stable templates ({@link
 * #assertOneRow}), only the turn with an unstable boundary skipped where upstream drops the
 * conversation, {@code messages} records read, and unknown roles dropped ({@link
 * #unknownRolesAreDroppedNotTrained}).
 */
class UpstreamRowsGoldenTest {
  @TempDir static Path tmp;
  static final Map<String, Path> DIRS = new HashMap<>();
  static final List<ChatRenderer> OPEN = new ArrayList<>();
  static final List<HttpServer> SERVERS = new ArrayList<>();

  @BeforeAll
  static void unpack() throws Exception {
    for (String m : List.of("llama3_1", "qwen3")) {
      DIRS.put(m, GoldenChats.modelDir(m, tmp.resolve(m)));
    }
  }

  @AfterAll
  static void close() {
    OPEN.forEach(ChatRenderer::close);
    SERVERS.forEach(s -> s.stop(0));
  }

  @ParameterizedTest(name = "{0} through {1}")
  @CsvSource({"llama3_1, in-process", "llama3_1, vllm", "qwen3, in-process", "qwen3, vllm"})
  void rowsAgreeWithUpstream(String model, String rendererKind) throws Exception {
    JsonNode golden = GoldenChats.upstreamRows(model);
    int seqLength = golden.get("seq_length").asInt();
    List<JsonNode> missing = new CopyOnWriteArrayList<>();
    ChatRenderer renderer =
        rendererKind.equals("vllm")
            ? recordedVllm(model, missing)
            : TemplateTokenizerRenderer.open(DIRS.get(model), Map.of());
    OPEN.add(renderer);
    ChatRowBuilder builder = new ChatRowBuilder(renderer, seqLength);
    boolean prefixMode = builder.probePrefixProperty();
    if (missing.isEmpty()) {
      // Llama-3 renders history as a prefix of later turns; Qwen3 drops earlier reasoning
      assertThat(prefixMode).as("prefix property of " + model).isEqualTo(model.equals("llama3_1"));
    } else {
      prefixMode = model.equals("llama3_1"); // recording: renders are empty, the probe is moot
    }
    int compared = 0;
    for (JsonNode c : golden.get("cases")) {
      String name = c.get("name").asText();
      if (name.equals("unknown_role")) {
        continue; // a documented difference, see unknownRolesAreDroppedNotTrained
      }
      Conversation conv = new ConversationNormalizer().normalize(c.get("record")).orElseThrow();
      try {
        if (prefixMode) {
          assertOneRow(builder, conv, c, seqLength - 1);
        } else {
          assertRowPerTurn(builder, conv, c, seqLength - 1);
        }
      } catch (AssertionError | Exception e) {
        if (missing.isEmpty()) {
          throw new AssertionError(model + " " + rendererKind + " " + name + ": " + e, e);
        }
      }
      compared++;
    }
    if (!missing.isEmpty()) {
      Path out = Path.of("target", "datagen-golden", model + "-tokenize-requests.json");
      Files.createDirectories(out.getParent());
      Files.writeString(out, GoldenChats.JSON.writeValueAsString(missing));
      fail(
          missing.size()
              + " /tokenize requests have no recorded answer; answer them with: python"
              + " src/test/python/datagen_chat_goldens.py tokenize MODEL_DIR "
              + out
              + " src/test/resources/datagen/chat/"
              + model
              + "/tokenize-answers.json");
    }
    assertThat(compared).isGreaterThanOrEqualTo(14);
  }

  /** Qwen3: one row per trained assistant turn, each compared with upstream's row of that turn. */
  private static void assertRowPerTurn(
      ChatRowBuilder builder, Conversation conv, JsonNode c, int limit) throws Exception {
    JsonNode turns = c.get("turns");
    int[] trained = conv.trainedTurns();
    assertThat(trained.length).as("trained turns").isEqualTo(turns.size());
    assertThat(ChatRowBuilder.rowCount(conv, false)).isEqualTo(turns.size());
    List<long[][]> ours = new ArrayList<>();
    boolean upstreamDropsConversation = false;
    for (int o = 0; o < trained.length; o++) {
      JsonNode expected = turns.get(o);
      assertThat(expected.get("turn").asInt()).isEqualTo(trained[o]);
      int ordinal = o;
      if (expected.has("error")) {
        // upstream raises BoundaryUnstableError and drops the whole conversation; we skip the turn
        upstreamDropsConversation = true;
        assertThatThrownBy(() -> builder.row(conv, ordinal, false))
            .isInstanceOf(UnstableBoundaryException.class)
            .satisfies(
                e ->
                    assertThat(((UnstableBoundaryException) e).turn()).isEqualTo(trained[ordinal]));
        continue;
      }
      TokenRow row = builder.row(conv, o, false);
      if (expected.has("skipped")) {
        assertThat(row.maskedTokens()).as("turn %d: prompt fills the row", trained[o]).isZero();
        continue;
      }
      long[][] clipped = clip(expected, limit);
      assertThat(row.inputIds()).as("turn %d ids", trained[o]).containsExactly(clipped[0]);
      assertThat(row.lossMask()).as("turn %d mask", trained[o]).containsExactly(clipped[1]);
      if (row.maskedTokens() > 0) {
        ours.add(new long[][] {row.inputIds(), row.lossMask()});
      }
    }
    List<long[][]> theirs = pipelineRows(c, limit);
    if (upstreamDropsConversation) {
      assertThat(theirs).as("upstream drops a conversation with an unstable boundary").isEmpty();
    } else {
      assertSameRows(ours, theirs);
    }
  }

  /**
   * Llama-3: one row holding the whole conversation; its ids are upstream's last turn row, its mask
   * the union of upstream's per-turn masks.
   */
  private static void assertOneRow(ChatRowBuilder builder, Conversation conv, JsonNode c, int limit)
      throws Exception {
    JsonNode turns = c.get("turns");
    assertThat(conv.trainedTurns().length).isEqualTo(turns.size());
    assertThat(ChatRowBuilder.rowCount(conv, true)).isEqualTo(1);
    for (JsonNode t : turns) {
      assertThat(t.has("error")).as("no unstable boundary on a prefix-stable template").isFalse();
    }
    TokenRow row = builder.row(conv, 0, true);
    long[] union = new long[row.length()];
    long[] longest = new long[0];
    for (JsonNode t : turns) {
      if (t.has("skipped")) {
        continue;
      }
      long[][] clipped = clip(t, limit);
      assertThat(Arrays.copyOf(row.inputIds(), Math.min(row.length(), clipped[0].length)))
          .as("turn %d is a prefix of the row", t.get("turn").asInt())
          .containsExactly(clipped[0]);
      for (int i = 0; i < clipped[1].length; i++) {
        union[i] |= clipped[1][i];
      }
      longest = clipped[0];
    }
    JsonNode last = turns.get(turns.size() - 1);
    if (!last.has("skipped")) {
      assertThat(row.inputIds()).as("ids of upstream's last row").containsExactly(longest);
    } else {
      assertThat(row.length()).as("cut at the limit").isEqualTo(limit);
    }
    assertThat(row.lossMask()).as("union of upstream's masks").containsExactly(union);
    // every row upstream's pipeline keeps is contained in ours
    List<long[][]> theirs = pipelineRows(c, limit);
    for (long[][] r : theirs) {
      assertThat(Arrays.copyOf(row.inputIds(), r[0].length)).containsExactly(r[0]);
      for (int i = 0; i < r[1].length; i++) {
        assertThat(row.lossMask()[i]).isGreaterThanOrEqualTo(r[1][i]);
      }
    }
    assertThat(row.maskedTokens() == 0).isEqualTo(theirs.isEmpty());
  }

  /**
   * Upstream's pipeline rows, cut at {@code limit}, rows left without a masked token dropped (as
   * upstream drops them at its own cut). Upstream reads only {@code conversations}: for a {@code
   * messages} record it produces nothing, and the rows it produces for the same turns under {@code
   * conversations} are compared.
   */
  private static List<long[][]> pipelineRows(JsonNode c, int limit) {
    JsonNode rows = c.get("rows");
    if (!c.get("record").has("conversations")) {
      assertThat(rows).as("upstream reads only the conversations column").isEmpty();
      rows = c.get("rows_as_conversations");
    }
    List<long[][]> out = new ArrayList<>();
    for (JsonNode r : rows) {
      long[][] clipped = clip(r, limit);
      if (Arrays.stream(clipped[1]).sum() > 0) {
        out.add(clipped);
      }
    }
    return out;
  }

  private static void assertSameRows(List<long[][]> ours, List<long[][]> theirs) {
    assertThat(ours.size()).as("rows").isEqualTo(theirs.size());
    for (int i = 0; i < ours.size(); i++) {
      assertThat(ours.get(i)[0]).as("row %d ids", i).containsExactly(theirs.get(i)[0]);
      assertThat(ours.get(i)[1]).as("row %d mask", i).containsExactly(theirs.get(i)[1]);
    }
  }

  /** Upstream's row cut at {@code limit} = sequence length − 1 (upstream cuts at the length). */
  static long[][] clip(JsonNode row, int limit) {
    long[] ids = ChatRowBuilderGoldenTest.longs(row.get("input_ids"));
    long[] mask = ChatRowBuilderGoldenTest.longs(row.get("loss_mask"));
    int n = Math.min(ids.length, limit);
    return new long[][] {Arrays.copyOf(ids, n), Arrays.copyOf(mask, n)};
  }

  @ParameterizedTest
  @CsvSource({"llama3_1", "qwen3"})
  void unknownRolesAreDroppedNotTrained(String model) throws Exception {
    JsonNode c = null;
    for (JsonNode x : GoldenChats.upstreamRows(model).get("cases")) {
      if (x.get("name").asText().equals("unknown_role")) {
        c = x;
      }
    }
    assertThat(c).isNotNull();
    // upstream turns the narrator into an assistant turn and trains on it
    assertThat(c.get("normalized").get(1).get("role").asText()).isEqualTo("assistant");
    assertThat(c.get("turns").get(0).get("turn").asInt()).isEqualTo(1);
    ConversationNormalizer normalizer = new ConversationNormalizer();
    Optional<Conversation> conv = normalizer.normalize(c.get("record"));
    assertThat(conv.orElseThrow().messages())
        .extracting(ChatMessage::role)
        .containsExactly("user", "assistant");
    assertThat(normalizer.droppedRoles()).isEqualTo(Map.of("narrator", 1L));
    assertThat(ChatRowBuilder.rowCount(conv.get(), false)).isEqualTo(1);
  }

  /**
   * vLLM's {@code /tokenize} answered from recorded transformers output; unknown requests are
   * collected in {@code missing} and answered with HTTP 404.
   */
  private static ChatRenderer recordedVllm(String model, List<JsonNode> missing)
      throws IOException {
    Map<JsonNode, JsonNode> answers = new HashMap<>();
    Path file = GoldenChats.dir(model).resolve("tokenize-answers.json");
    if (Files.exists(file)) {
      for (JsonNode a : GoldenChats.JSON.readTree(file.toFile()).get("answers")) {
        answers.put(a.get("request"), a.get("tokens"));
      }
    }
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext(
        "/tokenize",
        ex -> {
          JsonNode body = GoldenChats.JSON.readTree(ex.getRequestBody().readAllBytes());
          JsonNode tokens = answers.get(body);
          int status = 200;
          ObjectNode out = GoldenChats.JSON.createObjectNode();
          if (tokens == null) {
            if (!missing.contains(body)) {
              missing.add(body);
            }
            status = 404;
            out.put("error", "no recorded answer");
          } else {
            out.put("count", tokens.size()).put("max_model_len", 4096);
            out.set("tokens", (ArrayNode) tokens);
          }
          byte[] bytes = GoldenChats.JSON.writeValueAsBytes(out);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(status, bytes.length);
          try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
          }
        });
    server.start();
    SERVERS.add(server);
    VllmClient client =
        new VllmClient("http://127.0.0.1:" + server.getAddress().getPort(), Duration.ofSeconds(30));
    ChatRenderer vllm = new VllmTokenizeRenderer(client, "target-model", Map.of());
    // a miss answers 404; keep going with empty renders so that every request gets collected
    return new ChatRenderer() {
      @Override
      public long[] render(List<Map<String, Object>> messages, boolean addGenerationPrompt)
          throws IOException, InterruptedException {
        try {
          return vllm.render(messages, addGenerationPrompt);
        } catch (IOException e) {
          if (String.valueOf(e.getMessage()).contains("no recorded answer")) {
            return new long[0];
          }
          throw e;
        }
      }

      @Override
      public String description() {
        return vllm.description();
      }
    };
  }
}
