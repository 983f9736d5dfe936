package dev.speculators.datagen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.cli.DatagenCommand;
import dev.speculators.io.HostTensor;
import dev.speculators.io.TorchFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import picocli.CommandLine;

/** Builds model directories and datasets for the datagen tests and runs the command. */
final class DatagenTestSupport {
  static final ObjectMapper JSON = new ObjectMapper();

  private DatagenTestSupport() {}

  /**
   * A model directory: the real tokenizer and chat template of {@code chatModel} (llama3_1 or
   * qwen3, from the test resources) and a config with {@code layers} layers of width {@code
   * hidden}.
   */
  static Path modelDir(Path dir, String chatModel, int layers, int hidden) throws IOException {
    Files.createDirectories(dir);
    Path res;
    try {
      res =
          Path.of(
                  DatagenTestSupport.class
                      .getResource("/datagen/chat/" + chatModel + "/golden.json")
                      .toURI())
              .getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in =
        new GZIPInputStream(Files.newInputStream(res.resolve("tokenizer.json.gz")))) {
      Files.copy(in, dir.resolve("tokenizer.json"));
    }
    Files.copy(res.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
    Files.writeString(
        dir.resolve("config.json"),
        "{\"architectures\": [\"LlamaForCausalLM\"], \"model_type\": \"llama\", \"num_hidden_layers\": "
            + layers
            + ", \"hidden_size\": "
            + hidden
            + ", \"vocab_size\": 200000}");
    return dir;
  }

  /**
   * ShareGPT-style JSON lines: record k has a system prompt every third record, {@code (k % 3) + 1}
   * assistant turns; record {@code noAssistant} has none and record {@code invalid} no
   * conversation.
   */
  static Path dataset(Path file, int n, int noAssistant, int invalid) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int k = 0; k < n; k++) {
      if (k == invalid) {
        sb.append("{\"text\": \"a record without a conversation\"}\n");
        continue;
      }
      List<String> turns = new ArrayList<>();
      if (k % 3 == 0) {
        turns.add(turn("system", "You answer record " + k + " briefly."));
      }
      turns.add(turn("human", "Question " + k + ": what is " + k + " plus " + (k + 1) + "?"));
      int answers = k == noAssistant ? 0 : (k % 3) + 1;
      for (int t = 0; t < answers; t++) {
        turns.add(turn("gpt", "Answer " + t + " to record " + k + " is " + (2 * k + 1 + t) + "."));
        turns.add(turn("human", "Follow-up " + t + " on " + k + "?"));
      }
      sb.append("{\"id\": \"r")
          .append(k)
          .append("\", \"conversations\": [")
          .append(String.join(", ", turns))
          .append("]}\n");
    }
    Files.createDirectories(file.getParent());
    return Files.writeString(file, sb.toString());
  }

  private static String turn(String from, String value) {
    return "{\"from\": \"" + from + "\", \"value\": \"" + value + "\"}";
  }

  /** A run of the datagen command. */
  record Run(int exitCode, JsonNode summary, List<String> log) {}

  static Run run(Path terminationLog, String... args) throws IOException {
    List<String> log = Collections.synchronizedList(new ArrayList<>());
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--termination-log");
    all.add(terminationLog.toString());
    Files.deleteIfExists(terminationLog);
    int code =
        new CommandLine(
                new DatagenCommand(log::add, new DatagenWorker.Dependencies(null, null, null)))
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setOverwrittenOptionsAllowed(true)
            .execute(all.toArray(String[]::new));
    JsonNode summary = Files.exists(terminationLog) ? JSON.readTree(terminationLog.toFile()) : null;
    return new Run(code, summary, log);
  }

  /** The data files of a dataset, by row. */
  static Map<Long, Path> samples(Path root) throws IOException {
    Map<Long, Path> out = new TreeMap<>();
    try (var s = Files.list(root.resolve("data"))) {
      s.forEach(
          p -> {
            String n = p.getFileName().toString();
            if (n.matches("data_\\d+\\.pt")) {
              out.put(Long.parseLong(n.substring(5, n.length() - 3)), p);
            }
          });
    }
    return out;
  }

  /** A loaded sample: ids, mask, and the hidden-state tensors. */
  record Sample(long[] ids, long[] mask, List<HostTensor> hidden) {}

  @SuppressWarnings("unchecked")
  static Sample load(Path p) throws IOException {
    Map<Object, Object> m = (Map<Object, Object>) TorchFiles.load(p);
    List<HostTensor> hs = new ArrayList<>();
    for (Object o : (List<Object>) m.get("hidden_states")) {
      hs.add((HostTensor) o);
    }
    return new Sample(
        ((HostTensor) m.get("input_ids")).toLongArray(),
        ((HostTensor) m.get("loss_mask")).toLongArray(),
        hs);
  }
}
