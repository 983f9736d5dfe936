package dev.speculators.datagen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.speculators.cli.DatagenCommand;
import dev.speculators.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DatagenCommandTest {
  @TempDir Path tmp;

  record Outcome(int code, String err, List<String> log) {}

  Outcome execute(String... args) {
    List<String> log = new ArrayList<>();
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(
                new DatagenCommand(log::add, new DatagenWorker.Dependencies(null, null, null)))
            .setCaseInsensitiveEnumValuesAllowed(true)
            .setErr(new PrintWriter(err))
            .execute(args);
    return new Outcome(code, err.toString(), log);
  }

  @Test
  void isRegisteredInMain() {
    CommandLine main = new CommandLine(new Main());
    assertThat(main.getSubcommands()).containsKey("datagen");
  }

  @Test
  void usageErrorsExitWithTwoAndNameTheFlag() throws Exception {
    Path data = Files.writeString(tmp.resolve("d.jsonl"), "");
    Outcome badShard =
        execute(
            "--model",
            "m",
            "--data",
            data.toString(),
            "--output",
            tmp.toString(),
            "--endpoint",
            "http://x",
            "--shard",
            "3/2");
    assertThat(badShard.code()).isEqualTo(2);
    assertThat(badShard.err()).contains("--shard 3/2");
    Outcome noEndpoint =
        execute("--model", "m", "--data", data.toString(), "--output", tmp.toString());
    assertThat(noEndpoint.code()).isEqualTo(2);
    assertThat(noEndpoint.err()).contains("--endpoint is required");
    Outcome badKwargs =
        execute(
            "--model",
            "m",
            "--data",
            data.toString(),
            "--output",
            tmp.toString(),
            "--endpoint",
            "http://x",
            "--chat-template-kwargs",
            "[1]");
    assertThat(badKwargs.code()).isEqualTo(2);
    assertThat(badKwargs.err()).contains("--chat-template-kwargs");
    Outcome badData =
        execute(
            "--model",
            "m",
            "--data",
            "nope,maxSamples=x",
            "--output",
            tmp.toString(),
            "--endpoint",
            "http://x");
    assertThat(badData.code()).isEqualTo(2);
    assertThat(badData.err()).contains("maxSamples must be a number");
    Outcome badEngine =
        execute(
            "--model",
            "m",
            "--data",
            data.toString(),
            "--output",
            tmp.toString(),
            "--engine",
            "sglang");
    assertThat(badEngine.code()).isEqualTo(2);
    assertThat(badEngine.err()).contains("--engine sglang: expected one of vllm, reference");
    assertThat(execute("--model", "m").code()).isEqualTo(2); // picocli: missing required options
  }

  @Test
  void argumentFileIsExpanded() throws Exception {
    Path data = Files.writeString(tmp.resolve("d.jsonl"), "");
    Path args =
        Files.writeString(
            tmp.resolve("args.txt"),
            "--model m\n--data "
                + data
                + "\n--output "
                + tmp
                + "\n--endpoint http://x\n--shard 1/4\n--layer-ids 2,16,29,32\n--seq-length 4096\n");
    DatagenCommand cmd = new DatagenCommand(s -> {}, null);
    CommandLine cl = new CommandLine(cmd);
    cl.parseArgs("@" + args);
    DatagenOptions o = optionsOf(cmd);
    assertThat(o.shard()).isEqualTo(1);
    assertThat(o.shards()).isEqualTo(4);
    assertThat(o.layerIds()).containsExactly(2, 16, 29, 32);
    assertThat(o.sequenceLength()).isEqualTo(4096);
    assertThat(o.maxConsecutiveFailures()).isEqualTo(o.concurrency());
    assertThat(o.commandLine()).contains("--shard", "1/4");
  }

  @Test
  void shardSyntax() {
    assertThatThrownBy(() -> invokeParseShard("1")).hasMessageContaining("expected i/n");
    assertThatThrownBy(() -> invokeParseShard("-1/2")).hasMessageContaining("expected i/n");
  }

  @Test
  void missingModelDirectoryIsAFailureWithSummary() throws Exception {
    Path data = Files.writeString(tmp.resolve("d.jsonl"), "");
    Path log = tmp.resolve("termination-log");
    Outcome o =
        execute(
            "--model",
            tmp.resolve("no-model").toString(),
            "--data",
            data.toString(),
            "--output",
            tmp.resolve("out").toString(),
            "--engine",
            "reference",
            "--termination-log",
            log.toString());
    assertThat(o.code()).isEqualTo(1);
    assertThat(o.log()).anyMatch(l -> l.contains("--model") && l.contains("no-model"));
    assertThat(Files.readString(log)).contains("\"kind\":\"datagen\"").contains("\"error\"");
  }

  @Test
  void referenceEngineWithoutAnEngineInTheBuildSaysSo() throws Exception {
    Path model = DatagenTestSupport.modelDir(tmp.resolve("model"), "llama3_1", 4, 8);
    Path data = DatagenTestSupport.dataset(tmp.resolve("d.jsonl"), 3, 99, 99);
    Outcome o =
        execute(
            "--model",
            model.toString(),
            "--data",
            data.toString(),
            "--output",
            tmp.resolve("out").toString(),
            "--engine",
            "reference",
            "--termination-log",
            tmp.resolve("t").toString());
    assertThat(o.code()).isEqualTo(1);
    assertThat(o.log())
        .anyMatch(
            l -> l.contains("--engine reference: this build has no in-process reference engine"));
  }

  private static DatagenOptions optionsOf(DatagenCommand cmd) throws Exception {
    var m = DatagenCommand.class.getDeclaredMethod("options");
    m.setAccessible(true);
    try {
      return (DatagenOptions) m.invoke(cmd);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw (Exception) e.getCause();
    }
  }

  private static void invokeParseShard(String s) throws Exception {
    var m = DatagenCommand.class.getDeclaredMethod("parseShard", String.class);
    m.setAccessible(true);
    try {
      m.invoke(null, s);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw (Exception) e.getCause();
    }
  }
}
