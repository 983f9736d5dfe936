package dev.speculators.cli;

import dev.speculators.train.golden.GoldenCase;
import dev.speculators.train.golden.GoldenResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Replays golden cases from the upstream Python implementation and checks the trainer's numbers.
 */
@Command(
    name = "verify-golden",
    mixinStandardHelpOptions = true,
    description = {
      "Check the trainer against golden cases from the upstream Python implementation.",
      "Each case (a directory with case.json, weights/batch/expected.safetensors) runs"
          + " forward, backward and two optimizer steps and is compared with what upstream"
          + " computed. Prints one line per case with the worst error per quantity; exits 1 if any"
          + " case fails."
    })
public final class VerifyGoldenCommand implements Callable<Integer> {

  @Parameters(
      arity = "1..*",
      paramLabel = "DIR",
      description = "case directories, or directories holding case_* directories")
  List<Path> dirs;

  @Option(
      names = "--attention",
      defaultValue = "fused",
      description =
          "attention path to verify: fused (production), dense (reference) or both (default: ${DEFAULT-VALUE})")
  String attention;

  @Override
  public Integer call() throws IOException {
    List<GoldenCase.AttentionPath> paths = new ArrayList<>();
    switch (attention) {
      case "fused" -> paths.add(GoldenCase.AttentionPath.FUSED);
      case "dense" -> paths.add(GoldenCase.AttentionPath.DENSE);
      case "both" -> paths.addAll(List.of(GoldenCase.AttentionPath.values()));
      default -> {
        System.err.println("--attention must be fused, dense or both, got '" + attention + "'");
        return 2;
      }
    }
    List<Path> cases = new ArrayList<>();
    for (Path dir : dirs) {
      cases.addAll(casesUnder(dir));
    }
    if (cases.isEmpty()) {
      System.err.println("no golden cases (directories with case.json) under " + dirs);
      return 2;
    }
    boolean ok = true;
    for (GoldenCase.AttentionPath path : paths) {
      for (Path c : cases) {
        GoldenResult r = GoldenCase.run(c, path);
        System.out.println((paths.size() > 1 ? path.name().toLowerCase() + " " : "") + r.line());
        ok &= r.passed();
      }
    }
    return ok ? 0 : 1;
  }

  static List<Path> casesUnder(Path dir) throws IOException {
    if (Files.isRegularFile(dir.resolve("case.json"))) {
      return List.of(dir);
    }
    if (!Files.isDirectory(dir)) {
      throw new IOException("not a directory: " + dir);
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isRegularFile(p.resolve("case.json"))).sorted().toList();
    }
  }
}
