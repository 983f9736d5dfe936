package dev.speculators.eval;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-test vLLM server: {@code /health}, {@code /version}, {@code /v1/models} and a {@code
 * /metrics} exposition whose spec-decode counters (two data-parallel engines) advance by the next
 * queued step whenever something POSTs {@code /advance} — the fake GuideLLM does, while it
 * "benchmarks".
 */
final class FakeVllmServer implements AutoCloseable {
  /** Counters of one engine: drafts, draft tokens, accepted tokens, accepted per position. */
  static final class Engine {
    long drafts;
    long draftTokens;
    long accepted;
    long[] perPosition;

    Engine(long drafts, long draftTokens, long accepted, long... perPosition) {
      this.drafts = drafts;
      this.draftTokens = draftTokens;
      this.accepted = accepted;
      this.perPosition = perPosition;
    }

    void add(Engine step) {
      drafts += step.drafts;
      draftTokens += step.draftTokens;
      accepted += step.accepted;
      for (int i = 0; i < perPosition.length; i++) {
        perPosition[i] += step.perPosition[i];
      }
    }
  }

  private final HttpServer server;
  private final List<Engine> engines;
  private final Deque<List<Engine>> steps = new ArrayDeque<>();
  private final AtomicInteger advances = new AtomicInteger();
  private final boolean speculative;
  private volatile int metricsStatusAfterAdvance = 200;
  private volatile int healthStatus = 200;

  FakeVllmServer(boolean speculative, List<Engine> engines) throws IOException {
    this.speculative = speculative;
    this.engines = engines;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Queues the counter increments of the next benchmark, one per engine. */
  FakeVllmServer thenAdvanceBy(Engine... perEngine) {
    steps.add(List.of(perEngine));
    return this;
  }

  FakeVllmServer failMetricsAfterAdvance(int status) {
    metricsStatusAfterAdvance = status;
    return this;
  }

  FakeVllmServer health(int status) {
    healthStatus = status;
    return this;
  }

  int advances() {
    return advances.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      switch (ex.getRequestURI().getPath()) {
        case "/health" -> send(ex, healthStatus, "");
        case "/version" -> send(ex, 200, "{\"version\":\"0.11.2\"}");
        case "/v1/models" ->
            send(
                ex,
                200,
                "{\"object\":\"list\",\"data\":[{\"id\":\"meta-llama/Llama-3.1-8B-Instruct\",\"object\":\"model\"}]}");
        case "/metrics" -> {
          if (advances.get() > 0 && metricsStatusAfterAdvance != 200) {
            send(ex, metricsStatusAfterAdvance, "internal error");
          } else {
            send(ex, 200, exposition());
          }
        }
        case "/advance" -> {
          synchronized (this) {
            List<Engine> step = steps.poll();
            if (step != null) {
              for (int e = 0; e < engines.size(); e++) {
                engines.get(e).add(step.get(e));
              }
            }
          }
          advances.incrementAndGet();
          send(ex, 200, "ok");
        }
        default -> send(ex, 404, "not found");
      }
    }
  }

  private synchronized String exposition() {
    StringBuilder b = new StringBuilder();
    String model = "meta-llama/Llama-3.1-8B-Instruct";
    b.append("# HELP vllm:num_requests_running Number of requests in model execution batches.\n")
        .append("# TYPE vllm:num_requests_running gauge\n")
        .append("vllm:num_requests_running{engine=\"0\",model_name=\"")
        .append(model)
        .append("\"} 0.0\n");
    if (!speculative) {
      return b.toString();
    }
    String[][] counters = {
      {SpecDecodeCounters.DRAFTS, "Number of spec decoding drafts."},
      {SpecDecodeCounters.DRAFT_TOKENS, "Number of draft tokens."},
      {SpecDecodeCounters.ACCEPTED_TOKENS, "Number of accepted tokens."}
    };
    for (int c = 0; c < counters.length; c++) {
      String base = counters[c][0].replace("_total", "");
      b.append("# HELP ").append(base).append(' ').append(counters[c][1]).append('\n');
      b.append("# TYPE ").append(base).append(" counter\n");
      for (int e = 0; e < engines.size(); e++) {
        Engine en = engines.get(e);
        long v = c == 0 ? en.drafts : c == 1 ? en.draftTokens : en.accepted;
        String labels = "engine=\"" + e + "\",model_name=\"" + model + "\"";
        b.append(counters[c][0]).append('{').append(labels).append("} ").append(v).append(".0\n");
        b.append(base).append("_created{").append(labels).append("} 1.7854e+09\n");
      }
    }
    String base = SpecDecodeCounters.ACCEPTED_PER_POSITION.replace("_total", "");
    b.append("# TYPE ").append(base).append(" counter\n");
    for (int e = 0; e < engines.size(); e++) {
      long[] pos = engines.get(e).perPosition;
      for (int p = 0; p < pos.length; p++) {
        b.append(SpecDecodeCounters.ACCEPTED_PER_POSITION)
            .append("{engine=\"")
            .append(e)
            .append("\",model_name=\"")
            .append(model)
            .append("\",position=\"")
            .append(p)
            .append("\"} ")
            .append(pos[p])
            .append(".0\n");
      }
    }
    return b.toString();
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      ex.getResponseBody().write(bytes);
    }
  }
}
