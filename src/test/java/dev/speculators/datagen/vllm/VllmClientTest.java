package dev.speculators.datagen.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.speculators.datagen.GenerationException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VllmClientTest {
  HttpServer server;
  final AtomicReference<String> lastBody = new AtomicReference<>();
  volatile int status = 200;
  volatile String answer = "{}";
  volatile long delayMillis = 0;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        ex -> {
          lastBody.set(
              ex.getRequestMethod()
                  + " "
                  + ex.getRequestURI().getPath()
                  + " "
                  + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          try {
            Thread.sleep(delayMillis);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] b = answer.getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(status, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  VllmClient client(String suffix) {
    return new VllmClient(
        "http://127.0.0.1:" + server.getAddress().getPort() + suffix, Duration.ofSeconds(2));
  }

  @Test
  void endpointMayEndInV1() throws Exception {
    answer = "{\"object\":\"list\",\"data\":[{\"id\":\"meta-llama/Llama-3.1-8B-Instruct\"}]}";
    assertThat(client("/v1/").servedModel()).isEqualTo("meta-llama/Llama-3.1-8B-Instruct");
    assertThat(lastBody.get()).startsWith("GET /v1/models");
  }

  @Test
  void tokenizeSendsTheChatForm() throws Exception {
    answer = "{\"count\":3,\"max_model_len\":100,\"tokens\":[1,2,3]}";
    long[] ids =
        client("")
            .tokenizeChat(
                "m",
                List.of(Map.of("role", "user", "content", "hi")),
                true,
                Map.of("enable_thinking", false));
    assertThat(ids).containsExactly(1, 2, 3);
    assertThat(lastBody.get()).startsWith("POST /tokenize ");
    var body =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(lastBody.get().substring("POST /tokenize ".length()));
    assertThat(body.at("/messages/0/role").asText()).isEqualTo("user");
    assertThat(body.at("/messages/0/content").asText()).isEqualTo("hi");
    assertThat(lastBody.get())
        .contains("\"add_generation_prompt\":true")
        .contains("\"add_special_tokens\":false")
        .contains("\"chat_template_kwargs\":{\"enable_thinking\":false}");
  }

  @Test
  void prefillAsksForOneTokenAndReadsTheStagingPath() throws Exception {
    answer =
        "{\"choices\":[{\"text\":\"a\",\"prompt_token_ids\":[5,6]}],\"kv_transfer_params\":{\"hidden_states_path\":\"/hs/x.safetensors\"}}";
    VllmClient.Completion c = client("").prefill("m", new long[] {5, 6});
    assertThat(c.hiddenStatesPath()).isEqualTo("/hs/x.safetensors");
    assertThat(c.promptTokenIds()).containsExactly(5, 6);
    assertThat(lastBody.get())
        .contains("\"prompt\":[5,6]")
        .contains("\"max_tokens\":1")
        .contains("\"return_token_ids\":true");
  }

  @Test
  void missingConnectorIsNotRetryable() {
    answer = "{\"choices\":[{\"text\":\"a\"}]}";
    assertThatThrownBy(() -> client("").prefill("m", new long[] {1}))
        .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("ExampleHiddenStatesConnector");
  }

  @Test
  void statusCodesDecideRetries() {
    for (int code : new int[] {500, 503, 429, 408}) {
      status = code;
      assertThatThrownBy(() -> client("").prefill("m", new long[] {1}))
          .isInstanceOfSatisfying(
              GenerationException.class, e -> assertThat(e.retryable()).isTrue())
          .hasMessageContaining("HTTP " + code);
    }
    status = 400;
    answer = "{\"error\":\"This model's maximum context length is 4096 tokens\"}";
    assertThatThrownBy(() -> client("").prefill("m", new long[] {1}))
        .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.retryable()).isFalse())
        .hasMessageContaining("maximum context length");
  }

  @Test
  void timeoutsAndRefusedConnectionsAreRetryable() throws Exception {
    delayMillis = 3000;
    assertThatThrownBy(() -> client("").servedModel())
        .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.retryable()).isTrue())
        .hasMessageContaining("no answer");
    delayMillis = 0;
    int port = server.getAddress().getPort();
    server.stop(0);
    VllmClient gone = new VllmClient("http://127.0.0.1:" + port, Duration.ofSeconds(1));
    assertThatThrownBy(gone::servedModel)
        .isInstanceOfSatisfying(GenerationException.class, e -> assertThat(e.retryable()).isTrue());
    assertThatThrownBy(() -> gone.awaitReady(Duration.ofMillis(1500), s -> {}))
        .isInstanceOf(GenerationException.class)
        .hasMessageContaining("did not answer within");
  }

  @Test
  void badEndpoint() {
    assertThatThrownBy(() -> new VllmClient("localhost:8000", Duration.ofSeconds(1)))
        .hasMessageContaining("--endpoint");
  }
}
