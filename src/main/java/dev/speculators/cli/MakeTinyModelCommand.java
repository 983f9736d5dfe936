package dev.speculators.cli;

import dev.speculators.engine.EngineThreads;
import dev.speculators.engine.tiny.TinyCorpusFiles;
import dev.speculators.engine.tiny.TinyModelBuilder;
import dev.speculators.engine.tiny.TinyModelSettings;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code make-tiny-model}: builds the tiny example target (and its pipeline data) from scratch. */
@Command(
    name = "make-tiny-model",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train the tiny example target model from scratch on synthetic conversations with predictable answers"
          + " (counting, days, months, letters, capitals, sums, colours, repeating, greetings): a 4-layer Llama with a"
          + " word-level tokenizer and a chat template, written as a Hugging Face model directory (bf16 safetensors).",
      "Deterministic: the same seed and settings give the same files. Optionally writes the example pipeline's"
          + " conversations.jsonl and prompts.jsonl (--corpus)."
    })
public final class MakeTinyModelCommand implements Callable<Integer> {

  @Option(
      names = "--output",
      required = true,
      paramLabel = "DIR",
      description = "Model directory to write (replaced atomically)")
  Path output;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of weights and training data (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(
      names = "--steps",
      paramLabel = "N",
      description = "Training steps, one packed row of --row-length tokens each (default: 2000)")
  Integer steps;

  @Option(
      names = "--row-length",
      paramLabel = "N",
      description = "Tokens per packed training row (default: 512)")
  Integer rowLength;

  @Option(names = "--hidden-size", paramLabel = "N", description = "Hidden size (default: 96)")
  Integer hiddenSize;

  @Option(names = "--layers", paramLabel = "N", description = "Decoder layers (default: 4)")
  Integer layers;

  @Option(
      names = "--corpus",
      paramLabel = "DIR",
      description = "Also write conversations.jsonl and prompts.jsonl here")
  Path corpus;

  @Option(
      names = "--conversations",
      defaultValue = "1200",
      paramLabel = "N",
      description = "Conversations in --corpus (default: ${DEFAULT-VALUE})")
  int conversations;

  @Option(
      names = "--prompts",
      defaultValue = "100",
      paramLabel = "N",
      description = "Evaluation prompts in --corpus (default: ${DEFAULT-VALUE})")
  int prompts;

  private final PrintStream out;

  public MakeTinyModelCommand() {
    this(System.out);
  }

  public MakeTinyModelCommand(PrintStream out) {
    this.out = out;
  }

  @Override
  public Integer call() throws Exception {
    EngineThreads.preferSingleThread();
    TinyModelSettings d = TinyModelSettings.defaults(seed);
    int hidden = hiddenSize != null ? hiddenSize : d.hiddenSize();
    TinyModelSettings settings =
        new TinyModelSettings(
            seed,
            hidden,
            hidden * d.intermediateSize() / d.hiddenSize(),
            layers != null ? layers : d.numLayers(),
            d.numAttentionHeads(),
            d.numKeyValueHeads(),
            rowLength != null ? rowLength : d.rowLength(),
            steps != null ? steps : d.steps(),
            d.learningRate(),
            d.evalPrompts());
    TinyModelBuilder.Result r =
        new TinyModelBuilder(settings, line -> out.println("make-tiny-model: " + line))
            .build(output);
    out.printf(
        Locale.ROOT,
        "make-tiny-model: wrote %s (%d parameters, vocabulary %d): loss %.4f → %.4f, held-out answers exact %.1f%%,"
            + " %.1f s%n",
        output,
        r.parameters(),
        r.vocabSize(),
        r.firstLoss(),
        r.finalLoss(),
        100 * r.answerAccuracy(),
        r.seconds());
    if (corpus != null) {
      Files.createDirectories(corpus);
      TinyCorpusFiles.write(corpus, seed, conversations, prompts);
      out.println(
          "make-tiny-model: wrote "
              + corpus.resolve(TinyCorpusFiles.CONVERSATIONS)
              + " ("
              + conversations
              + " conversations) and "
              + corpus.resolve(TinyCorpusFiles.PROMPTS)
              + " ("
              + prompts
              + " prompts)");
    }
    return 0;
  }
}
